import workerpool from 'workerpool';
import { handle } from './work.mjs';
workerpool.worker({ handle });
