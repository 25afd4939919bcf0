/**
 * A preload that samples every allocation, collected or not, and writes the profile at exit:
 * `HEAP_OUT=tmp/x.heapprofile node --import tsx --import ./bench/lib/heap-sampler.ts bench/request-path.ts write`.
 * Node's own --heap-prof keeps only what is still alive at the end, which hides the garbage a
 * request makes; this asks V8 to keep what minor and major collections took as well.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
} as never);
process.on('exit', () => {
  // A same-thread inspector session answers synchronously, so this runs before the process ends.
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) throw error;
    writeFileSync(process.env.HEAP_OUT ?? 'heap.heapprofile', JSON.stringify(result.profile));
  });
});
