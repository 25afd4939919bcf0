import { describeAdapter } from './adapter-suite.js';
import { makeExpressServer } from './apps.js';

describeAdapter('Express 5', makeExpressServer);
