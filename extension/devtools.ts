/** The devtools page: its only job is to register the "Sessions" panel. */
import browser from 'webextension-polyfill';

/** Path relative to the extension root, as `panels.create` expects. */
export const PANEL_PAGE = 'extension/panel.html';

browser.devtools.panels.create('Sessions', 'extension/icons/icon-16.png', PANEL_PAGE);
