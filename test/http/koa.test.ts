import { describeAdapter } from './adapter-suite.js';
import { makeKoaServer } from './framework-apps.js';

describeAdapter('Koa 3', makeKoaServer);
