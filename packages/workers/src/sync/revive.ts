/**
 * Loads every handle class, so each registers how to rebuild its handles. The wire reader
 * imports this: a thread that receives a handle can rebuild it even if none of its own
 * modules imported the class.
 */
import './shared_semaphore.js';
import './shared_mutex.js';
import './shared_rwlock.js';
import './shared_mpsc_sender.js';
import './shared_mpsc_receiver.js';
import './shared_notify.js';
import './shared_barrier.js';
import './shared_once_cell.js';
import './shared_oneshot.js';
import './shared_watch.js';
import './shared_broadcast.js';
