// Types of build-state.js (plain JavaScript, so bin/podreach.js can use it before anything is compiled).
export declare const repoRoot: string;
export declare const BUILD_STAMP: string;
export declare function newestSourceMtimeMs(root?: string): number;
export declare function lastBuildStartedAt(root?: string): number | undefined;
export declare function buildIsCurrent(root?: string): boolean;
