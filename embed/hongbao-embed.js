// Hongbao embed loader: <script type="module" src=".../hongbao-embed.js"></script>
// Defines the <hong-bao> element, mounts a widget into every element carrying `data-hongbao`
// (each inside its own shadow root) and defines window.Hongbao:
//   mount(element, options) → { update(options), setLang(lang), unmount() }
//   mountAll(root), frame(iframe) (resizes an iframe-mode widget), count (live widgets).
// The wasm module and the CSS are loaded from this file's directory.
//
// Trusted Types: nothing here, in the glue or in the wasm writes HTML or script from a string
// (shadow roots are emptied node by node, the error box is built with createElement, and no
// view has a static subtree, which Leptos would parse from an HTML string: ARCHITECTURE.md),
// so the embed runs under `require-trusted-types-for 'script'` with no policy at all.
//
// A panic in the wasm (a bug) stops its instance, and with it every widget of the page: the
// loader then shows each of them an error with a Reload button, which starts them afresh on a
// new instance. The page's own scripts are not affected.
//
// The release build (xtask/src/build.rs) gives every file but this one's stable copy and
// frame.html a content-hashed name and rewrites the relative URLs below to those names:
// `hongbao-embed.<hash>.js` is immutable, and manifest.json maps each logical name to its
// file and SRI hash.
import init, { mount as wasmMount, initSync } from './embed.js';
import { __hongbao_instance } from './__wasm_split.js';

const cssUrl = new URL('hongbao.css', import.meta.url).href;
const wasmUrl = new URL('embed_bg.wasm', import.meta.url);

// The wasm instance in use; a new one after a panic (see `reload`).
let instance = { mount: wasmMount, dead: false, n: 0 };
await init({ module_or_path: wasmUrl });
// The split loader fetches the scenes' modules into this instance.
__hongbao_instance(initSync);

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
  const handle = {
    element,
    options: opts,
    widget: null,
    instance,
    /** Applies new options: language, variant, theme and settings in place (a started
     *  widget keeps its state); other changes (scene, backend, storage…) mount it afresh. */
    update(options) {
      if (!live.has(handle)) return false;
      handle.options = { ...options, storage: options.storage ?? opts.storage };
      if (handle.widget && !handle.instance.dead && handle.widget.update(handle.options)) return true;
      start(handle);
      return true;
    },
    setLang(lang) {
      if (!live.has(handle) || !handle.widget || handle.instance.dead) return false;
      const ok = handle.widget.setLang(String(lang));
      if (ok) handle.options = { ...handle.options, lang: String(lang) };
      return ok;
    },
    unmount() {
      if (!live.delete(handle)) return;
      stop(handle);
      element.shadowRoot?.replaceChildren();
      element.removeAttribute('data-hongbao-mounted');
    },
  };
  live.add(handle);
  start(handle);
  return handle;
}

/** (Re)creates the handle's wasm widget from its options, on the current instance. */
function start(handle) {
  stop(handle);
  handle.instance = instance;
  if (instance.dead) { showError(handle); return; }
  handle.widget = instance.mount(handle.element, handle.options, cssUrl);
}

/** Drops the handle's wasm widget; never calls into a dead instance. */
function stop(handle) {
  const widget = handle.widget;
  handle.widget = null;
  if (widget && !handle.instance.dead) {
    widget.unmount();
    widget.free();
  }
}

function mountAll(root = document) {
  const found = [...root.querySelectorAll('[data-hongbao]')];
  return found.map((el, n) => {
    if (el.hasAttribute('data-hongbao-mounted')) return null;
    return mount(el, el.hasAttribute('data-storage') ? {} : { storage: `embed-${n}` });
  }).filter(Boolean);
}

// <hong-bao scene="claim-demo" lang="en" theme="dark" recall="none"></hong-bao>: the same
// options as the data attributes, without the `data-`. Language, variant, theme and settings
// change live; removing the element unmounts its widget (a move within the page keeps it).
const SETTINGS = ['stages', 'auth', 'recall', 'window', 'split', 'motion', 'lang', 'latency',
  'fail', 'bots', 'seed', 'backend', 'server', 'storage', 'user', 'warnings',
  'income'];
const ATTRIBUTES = ['scene', 'variant', 'theme', 'settings', 'test-panic', ...SETTINGS];
let elements = 0;
class HongBaoElement extends HTMLElement {
  static observedAttributes = ATTRIBUTES;
  #handle = null;
  #storage = null;
  #queued = false;

  connectedCallback() {
    if (!this.#handle) this.#handle = mount(this, this.#options());
  }

  disconnectedCallback() {
    // A move (removed and inserted in one task) keeps the widget.
    queueMicrotask(() => {
      if (this.isConnected || !this.#handle) return;
      this.#handle.unmount();
      this.#handle = null;
    });
  }

  attributeChangedCallback(name, old, value) {
    if (!this.#handle || old === value || this.#queued) return;
    // Several attributes set in one task are applied together.
    this.#queued = true;
    queueMicrotask(() => {
      this.#queued = false;
      this.#handle?.update(this.#options());
    });
  }

  /** The widget's handle ({update, setLang, unmount}), while mounted. */
  get widget() { return this.#handle; }

  #options() {
    const options = {};
    for (const name of ATTRIBUTES) {
      const value = this.getAttribute(name);
      if (value !== null) options[name] = value;
    }
    // A storage key of its own, kept for the element's life (the n-th element on the page).
    options.storage ??= (this.#storage ??= `hong-bao-${elements++}`);
    return options;
  }
}

/**
 * Iframe mode: sizes `iframe` (showing `frame.html`) to its content. The frame posts its
 * height to the parent's exact origin; only messages from that iframe's window and origin are
 * applied. Returns { stop() }.
 */
function frame(iframe, { origin } = {}) {
  if (!(iframe instanceof HTMLIFrameElement)) throw new TypeError('Hongbao.frame: an iframe is required');
  const from = origin ?? new URL(iframe.src, location.href).origin;
  const onMessage = (event) => {
    if (event.source !== iframe.contentWindow || event.origin !== from) return;
    const { type, height } = event.data ?? {};
    if (type !== 'hongbao:resize' || !Number.isFinite(height) || height < 0 || height > 100000) return;
    iframe.style.height = `${Math.ceil(height)}px`;
    iframe.dispatchEvent(new CustomEvent('hongbao:resize', { detail: { height } }));
  };
  window.addEventListener('message', onMessage);
  return { stop: () => window.removeEventListener('message', onMessage) };
}

// Panic containment. The wasm's panic hook dispatches `hongbao:panic` on window before the
// instance aborts; from then on nothing may call into that instance.
const TEXTS = {
  zh: ['红包组件出错，已停止。', '重新加载'],
  en: ['This widget stopped because of an error.', 'Reload'],
};
function showError(handle) {
  const shadow = handle.element.shadowRoot ?? handle.element.attachShadow({ mode: 'open' });
  const lang = handle.options.lang ?? handle.element.getAttribute('lang') ?? handle.element.getAttribute('data-lang');
  const [message, action] = TEXTS[lang === 'en' ? 'en' : 'zh'];
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = cssUrl;
  const box = document.createElement('div');
  box.className = 'hb-embed-error';
  box.setAttribute('role', 'alert');
  box.setAttribute('data-testid', 'embed-error');
  const text = document.createElement('span');
  text.textContent = message;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = action;
  button.setAttribute('data-testid', 'embed-reload');
  button.addEventListener('click', () => reload());
  box.append(text, button);
  shadow.replaceChildren(link, box);
}

// The dead instance's widget objects stay referenced: garbage-collecting one would call
// into that instance (wasm-bindgen frees them through a FinalizationRegistry).
const graveyard = [];
window.addEventListener('hongbao:panic', () => {
  if (instance.dead) return;
  instance.dead = true;
  for (const handle of live) {
    if (handle.instance !== instance) continue;
    if (handle.widget) graveyard.push(handle.widget);
    handle.widget = null;
    showError(handle);
  }
});

let reloading = null;
/** Starts every widget of the dead instance afresh, on a new instance of the module. */
function reload() {
  reloading ??= (async () => {
    const n = instance.n + 1;
    // The glue under another URL is another module: a fresh instance. The split loader (one
    // module for both) is told to serve the new one (xtask/src/build.rs,
    // restartable_split_loader).
    const glue = await import(`./embed.js?instance=${n}`);
    await glue.default({ module_or_path: wasmUrl });
    __hongbao_instance(glue.initSync);
    instance = { mount: glue.mount, dead: false, n };
    for (const handle of [...live]) if (handle.instance.dead) start(handle);
  })().finally(() => { reloading = null; });
  return reloading;
}

const widgets = mountAll();
customElements.get('hong-bao') ?? customElements.define('hong-bao', HongBaoElement);
window.Hongbao = {
  mount, mountAll, frame, widgets, version: 2,
  /** How many widgets are mounted now. */
  get count() { return live.size; },
};
document.dispatchEvent(new CustomEvent('hongbao:ready'));
