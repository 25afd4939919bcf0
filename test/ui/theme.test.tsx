// @vitest-environment happy-dom
/** U10 the theme follows DevTools live: a theme change restyles the panel without a reload. */
import { cleanup, render } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientStore } from '../../extension/client/store.js';
import { createNullPlatform } from '../../extension/platform/null.js';
import type { Platform } from '../../extension/platform/types.js';
import { App } from '../../extension/ui/App.js';

afterEach(cleanup);

describe('U10 theme switch is live', () => {
  it('applies the theme DevTools reports when it changes', () => {
    let changed: ((theme: 'light' | 'dark') => void) | null = null;
    const platform: Platform = {
      ...createNullPlatform('http://localhost:3000'),
      theme: () => 'light',
      onThemeChanged(listener) {
        changed = listener;
        return () => {
          changed = null;
        };
      },
    };
    render(
      <App
        store={new ClientStore({ client: 'test' })}
        platform={platform}
        origin={null}
        agentOrigin={null}
      />,
    );
    expect(document.documentElement.dataset.theme).toBe('light');
    changed!('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
