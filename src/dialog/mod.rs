//! One modal dialog for the whole widget: the send sheet and the packet card use it.
//!
//! ```ignore
//! <Dialog backdrop_class="hb-card-backdrop" on_close=close focus_key=branch>
//!     <DialogSurface class="hb-card" attr:data-testid="packet-card" attr:aria-labelledby=id>
//!         …
//!     </DialogSurface>
//! </Dialog>
//! ```
//!
//! [`Dialog`] is the backdrop and the behaviour; [`DialogSurface`] is the box
//! (`role="dialog"`, `aria-modal`), which takes the caller's attributes (`attr:…`). What it does:
//!
//! - **Escape** closes it. The key is handled where it happens, on the dialog's own elements, so
//!   an embedded widget's Escape never closes another widget's dialog on the same page (each
//!   lives in its own shadow root, all in one wasm instance). When the focus went nowhere (the
//!   page's body, after the focused element was re-rendered away) or is still outside the
//!   dialog in its own widget (on the button that opened it: the focus moves in on the next
//!   frame), the dialog that last held the focus closes, and only that one, unless a press
//!   elsewhere on the page took it away.
//! - **Focus trap**: Tab and Shift+Tab cycle inside the surface.
//! - **Initial focus**: on opening, and whenever `focus_key` changes (a new stage, a new
//!   screen), the focus moves to the element marked `data-autofocus`, else stays if it is
//!   inside, else goes to the first focusable element.
//! - **Focus restored**: closing gives the focus back to `return_focus` (a selector looked up
//!   in the widget) or else to the element that had it when the dialog opened, if the focus
//!   was lost with the dialog.
//! - A click on the backdrop itself closes it, while `backdrop_closes` holds.

use leptos::ev;
use leptos::html::Div;
use leptos::prelude::*;
use std::cell::Cell;
use wasm_bindgen::JsCast;

thread_local! {
    /// The dialog that last held the focus (see [`Dialog`]'s Escape).
    static LAST_FOCUSED: Cell<u64> = const { Cell::new(0) };
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

/// What the surface needs from its dialog.
#[derive(Clone, Copy)]
struct DialogContext {
    surface: NodeRef<Div>,
}

const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

#[component]
pub fn Dialog(
    /// The backdrop's class (it covers the widget; the surface sits in it).
    backdrop_class: &'static str,
    /// Called to close: Escape, a click on the backdrop, or a caller's own button.
    #[prop(into)]
    on_close: Callback<()>,
    /// Whether a click on the backdrop closes (default: always).
    #[prop(optional, into)]
    backdrop_closes: Option<Signal<bool>>,
    /// What it reads changing moves the focus (see the module docs): the stage, the screen.
    #[prop(optional, into)]
    focus_key: Option<Signal<()>>,
    /// Where the focus goes back to on closing (a selector, looked up in the widget).
    #[prop(optional, into)]
    return_focus: Option<String>,
    /// The caller's handle on the surface element (for its own focus moves).
    #[prop(optional)]
    surface: Option<NodeRef<Div>>,
    children: Children,
) -> impl IntoView {
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    LAST_FOCUSED.with(|l| l.set(id));
    let surface = surface.unwrap_or_default();
    let backdrop = NodeRef::<Div>::new();
    provide_context(DialogContext { surface });

    // Where the focus goes back to: found when the dialog opens, while the opener is there.
    let opener = StoredValue::new_local(deep_active_element());
    let widget = StoredValue::new_local(None::<web_sys::Element>);
    backdrop.on_load(move |el| {
        widget.set_value(el.closest(".hb-app").ok().flatten());
    });
    let return_focus = StoredValue::new(return_focus);
    // Focus: into the surface on opening and on every change of `focus_key`.
    Effect::new(move |_| {
        if let Some(key) = focus_key {
            key.track();
        }
        request_animation_frame(move || {
            if let Some(Some(el)) = surface.try_get_untracked() {
                focus_into(&el);
            }
        });
    });

    // Escape where the focus went nowhere, or is still outside the dialog in its own widget
    // (on the opener, before the focus moved in on the next frame): the dialog that last held
    // the focus closes.
    let lost_escape = window_event_listener(ev::keydown, move |e| {
        let outside_in_widget = || {
            let (Some(Some(b)), Some(Some(w))) =
                (backdrop.try_get_untracked(), widget.try_get_value())
            else {
                return false;
            };
            holds_focus(&w) && !holds_focus(&b)
        };
        if e.key() == "Escape"
            && !e.default_prevented()
            && LAST_FOCUSED.with(|l| l.get()) == id
            && (focus_lost() || outside_in_widget())
        {
            e.prevent_default();
            on_close.run(());
        }
    });
    // A press elsewhere on the page (outside this dialog): the focus left it on purpose.
    let press_outside = window_event_listener(ev::pointerdown, move |e| {
        let inside = backdrop
            .get_untracked()
            .is_some_and(|b| e.composed_path().includes(&b, 0));
        if !inside {
            LAST_FOCUSED.with(|l| {
                if l.get() == id {
                    l.set(0);
                }
            });
        }
    });
    on_cleanup(move || {
        lost_escape.remove();
        press_outside.remove();
        LAST_FOCUSED.with(|l| {
            if l.get() == id {
                l.set(0);
            }
        });
        // The focus is inside the dialog, which goes: give it back now (or once it is gone,
        // if it was lost meanwhile).
        let target = FocusTarget {
            selector: return_focus.try_get_value().flatten(),
            widget: widget.try_get_value().flatten(),
            opener: opener.try_get_value().flatten(),
        };
        let inside = backdrop
            .try_get_untracked()
            .flatten()
            .is_some_and(|b| holds_focus(&b));
        if inside || focus_lost() {
            target.focus();
        }
        request_animation_frame(move || {
            if focus_lost() {
                target.focus();
            }
        });
    });

    let on_keydown = move |e: ev::KeyboardEvent| match e.key().as_str() {
        "Escape" if !e.default_prevented() => {
            e.prevent_default();
            on_close.run(());
        }
        "Tab" => {
            if let Some(el) = surface.get_untracked() {
                trap_tab(&el, &e);
            }
        }
        _ => {}
    };

    view! {
        <div
            class=format!("hb-dialog-backdrop {backdrop_class}")
            node_ref=backdrop
            on:keydown=on_keydown
            on:focusin=move |_| LAST_FOCUSED.with(|l| l.set(id))
            on:click=move |e: ev::MouseEvent| {
                // A click on the dimmed page (not on the surface) closes, as Escape does.
                if e.target() == e.current_target() && backdrop_closes.is_none_or(|b| b.get_untracked()) {
                    on_close.run(());
                }
            }
        >
            {children()}
        </div>
    }
}

/// The dialog's box: `role="dialog"`, `aria-modal="true"`, and the caller's attributes
/// (`attr:data-testid`, `attr:aria-label`…).
#[component]
pub fn DialogSurface(class: &'static str, children: Children) -> impl IntoView {
    let surface = use_context::<DialogContext>()
        .map(|c| c.surface)
        .unwrap_or_default();
    view! {
        <div class=class role="dialog" aria-modal="true" node_ref=surface>
            {children()}
        </div>
    }
}

/// Where the focus goes back to when a dialog closes.
struct FocusTarget {
    /// A selector looked up in `widget`, first.
    selector: Option<String>,
    /// The widget's root (`.hb-app`).
    widget: Option<web_sys::Element>,
    /// The element that had the focus when the dialog opened.
    opener: Option<web_sys::Element>,
}

impl FocusTarget {
    fn focus(&self) {
        let found = self.selector.as_ref().and_then(|selector| {
            self.widget
                .as_ref()
                .and_then(|w| w.query_selector(selector).ok().flatten())
        });
        if let Some(el) = found
            .or_else(|| self.opener.clone())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            .filter(|el| el.is_connected())
        {
            let _ = el.focus();
        }
    }
}

/// The element that has the focus, looking into shadow roots (an embedded widget's).
fn deep_active_element() -> Option<web_sys::Element> {
    let mut active = document().active_element()?;
    while let Some(inner) = active.shadow_root().and_then(|s| s.active_element()) {
        active = inner;
    }
    Some(active)
}

/// Whether the focus went nowhere: none, or the page's body.
fn focus_lost() -> bool {
    let doc = document();
    match doc.active_element() {
        None => true,
        Some(a) => doc
            .body()
            .is_some_and(|b| a == *b.unchecked_ref::<web_sys::Element>()),
    }
}

/// Whether the focus is inside `root` (also inside a shadow root).
fn holds_focus(root: &web_sys::Element) -> bool {
    deep_active_element().is_some_and(|a| root.contains(Some(&a)))
}

/// The elements Tab can reach in `root`, in document order.
fn focusables(root: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let all = root.get_elements_by_tag_name("*");
    (0..all.length())
        .filter_map(|i| all.item(i))
        .filter(|el| el.matches(FOCUSABLE).unwrap_or(false))
        .filter_map(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|el| el.offset_parent().is_some())
        .collect()
}

/// The element marked `data-autofocus`; else, unless the focus is inside already, the first
/// focusable one.
fn focus_into(root: &web_sys::Element) {
    let marked = root
        .query_selector("[data-autofocus]")
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    let target = match marked {
        Some(el) => Some(el),
        None if holds_focus(root) => None,
        None => focusables(root).into_iter().next(),
    };
    if let Some(el) = target {
        let _ = el.focus();
    }
}

/// Keeps Tab inside `root` (the dialog is modal).
fn trap_tab(root: &web_sys::Element, e: &ev::KeyboardEvent) {
    let items = focusables(root);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return;
    };
    let active = deep_active_element();
    let at = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let target = if !holds_focus(root) {
        Some(first)
    } else if e.shift_key() && at(first) {
        Some(last)
    } else if !e.shift_key() && at(last) {
        Some(first)
    } else {
        None
    };
    if let Some(el) = target {
        e.prevent_default();
        let _ = el.focus();
    }
}
