// Preload (sandboxed, bundled to dist/electron/preload.cjs): exposes window.vllmPanel with an
// allow-listed invoke/on and nothing else. See bridge.ts.
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('vllmPanel', createBridge(ipcRenderer));
