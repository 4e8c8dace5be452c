import { handle } from './work.mjs';
export default handle;
