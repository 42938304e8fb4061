/** Types for vitest.config.ts, which copies the API reference bundle before the tests start. */
export declare const DOCS_SCRIPT: string;
export declare function copyDocsAssets(): string;
