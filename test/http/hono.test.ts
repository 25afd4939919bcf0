import { describeAdapter } from './adapter-suite.js';
import { makeHonoServer } from './framework-apps.js';

describeAdapter('Hono 4', makeHonoServer);
