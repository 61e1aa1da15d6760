// Hongbao embed loader: <script type="module" src=".../hongbao-embed.js"></script>
// Mounts a widget into every element carrying `data-hongbao` (each inside its own shadow
// root) and defines window.Hongbao.mount(element, options) → { unmount(), setLang(lang) }.
// The wasm module and the CSS are loaded from this file's directory.
import init, { mount as wasmMount } from './embed.js';

const base = new URL('./', import.meta.url).href;
await init({ module_or_path: new URL('embed_bg.wasm', import.meta.url) });

let manual = 0;
// Every mounted widget stays referenced until unmount(): dropping the wasm object would
// unmount it, and the page may well ignore mount()'s return value.
const live = new Set();
function mount(element, options = {}) {
  if (!(element instanceof HTMLElement)) throw new TypeError('Hongbao.mount: an element is required');
  // Mounting an element again replaces its widget: the old one is unmounted first, so
  // that nothing of it (listeners, timers, its reactive owner) outlives its DOM.
  for (const old of [...live]) if (old.element === element) old.unmount();
  const opts = { ...options };
  if (opts.storage === undefined && !element.hasAttribute('data-storage')) {
    opts.storage = `embed-m${manual++}`;
  }
  const widget = wasmMount(element, opts, base);
  let mounted = true;
  const handle = {
    element,
    setLang: (lang) => mounted && widget.setLang(String(lang)),
    unmount() {
      if (!mounted) return;
      mounted = false;
      live.delete(handle);
      widget.unmount();
      widget.free();
    },
  };
  live.add(handle);
  return handle;
}

function mountAll(root = document) {
  const found = [...root.querySelectorAll('[data-hongbao]')];
  return found.map((el, n) => {
    if (el.hasAttribute('data-hongbao-mounted')) return null;
    return mount(el, el.hasAttribute('data-storage') ? {} : { storage: `embed-${n}` });
  }).filter(Boolean);
}

const widgets = mountAll();
window.Hongbao = { mount, mountAll, widgets, version: 1 };
document.dispatchEvent(new CustomEvent('hongbao:ready'));
