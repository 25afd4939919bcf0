import { describeAdapter } from './adapter-suite.js';
import { makeFastifyServer } from './framework-apps.js';

describeAdapter('Fastify 5', makeFastifyServer);
