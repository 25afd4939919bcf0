import { describeAdapter } from './adapter-suite.js';
import { makeNodeServer } from './apps.js';

describeAdapter('node:http', makeNodeServer);
