/**
 * Removing a browser's throwaway profile after the browser exits. Chromium's and Firefox's helper
 * processes (GPU, network, crash handler) outlive the main process for a moment and keep writing
 * into the profile, so a removal can race them and fail with ENOTEMPTY; on a loaded CI machine
 * "a moment" was seen to exceed rmSync's own 10 × 100 ms retries. The profile is a temporary
 * folder: failing to remove it is housekeeping, never a test failure, so this retries for a few
 * seconds and then leaves it, saying where.
 */
import { rm } from 'node:fs/promises';

const ATTEMPTS = 40;
const PAUSE_MS = 150;

export async function removeBrowserProfile(profile: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rm(profile, { recursive: true, force: true });
      return;
    } catch (error) {
      if (attempt >= ATTEMPTS) {
        process.stderr.write(`[e2e] left the browser profile ${profile}: ${(error as Error).message}\n`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  }
}
