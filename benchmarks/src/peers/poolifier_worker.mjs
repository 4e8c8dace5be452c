import { ThreadWorker } from 'poolifier';
import { handle } from './work.mjs';
export default new ThreadWorker(handle);
