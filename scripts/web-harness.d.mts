import type { Browser } from 'playwright-core';
export const ROOT: string;
export const DIST_WEB: string;
export const CHROMIUM: string;
export function buildWeb(): Promise<string>;
export function serveStatic(dir: string): Promise<{ url: string; close: () => Promise<void> }>;
export function launchChromium(): Promise<Browser>;
