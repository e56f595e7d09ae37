//! The photo viewer: previous / next within the listing a photo was opened from (plain
//! links, so they work without JavaScript), and where JavaScript runs, the keyboard
//! (← → Esc f i l ?), a full-screen lightbox with wheel / pinch zoom and swipes, and the
//! shortcut list.

use leptos::prelude::*;

use crate::model::{ContextNav, ImageSrc};

/// Previous / next and the way back to the listing; the neighbours' images are fetched
/// ahead so the next step paints at once.
#[component]
pub fn ContextLinks(nav: ContextNav) -> impl IntoView {
    let preload = nav
        .preload
        .iter()
        .map(|href| view! { <link rel="prefetch" href=href.clone() /> })
        .collect_view();
    view! {
        <nav class="album-nav" aria-label="In this listing">
            {nav.prev.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
            <a href=nav.back data-back="">
                "Back to " <bdi>{nav.label}</bdi>
            </a>
            {nav.next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
        </nav>
        {preload}
    }
}

/// The list of shortcuts (the `?` overlay; also the design catalogue's sample).
#[component]
pub fn ShortcutList() -> impl IntoView {
    // Literal markup, not a list built from `SHORTCUTS` at run time: inside the island a
    // collected list rendered without the end markers the browser's hydration looks for
    // (the Worker's views are type-erased), and the panic stopped every island after it.
    view! {
        <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
        <dl class="shortcut-list">
            <dt><kbd>"←"</kbd></dt>
            <dd>"Previous photo"</dd>
            <dt><kbd>"→"</kbd></dt>
            <dd>"Next photo"</dd>
            <dt><kbd>"Esc"</kbd></dt>
            <dd>"Back to the photos (or close)"</dd>
            <dt><kbd>"f"</kbd></dt>
            <dd>"Full screen"</dd>
            <dt><kbd>"i"</kbd></dt>
            <dd>"Show or hide the details"</dd>
            <dt><kbd>"l"</kbd></dt>
            <dd>"Like"</dd>
            <dt><kbd>"?"</kbd></dt>
            <dd>"This list"</dd>
        </dl>
    }
}

/// Zoom and pan of the lightbox's image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Zoom {
    pub scale: f64,
    pub x: f64,
    pub y: f64,
}

impl Zoom {
    pub const FIT: Zoom = Zoom {
        scale: 1.0,
        x: 0.0,
        y: 0.0,
    };

    /// Scaled by `factor` around the point (`cx`, `cy`), relative to the image's centre,
    /// within 1 (fit to the screen) and `max` (the largest size's own pixels).
    pub fn around(self, factor: f64, cx: f64, cy: f64, max: f64) -> Zoom {
        let scale = (self.scale * factor).clamp(1.0, max.max(1.0));
        if scale <= 1.0 {
            return Zoom::FIT;
        }
        let k = scale / self.scale;
        Zoom {
            scale,
            x: cx - (cx - self.x) * k,
            y: cy - (cy - self.y) * k,
        }
    }

    pub fn css(self) -> String {
        format!(
            "translate({:.1}px, {:.1}px) scale({:.3})",
            self.x, self.y, self.scale
        )
    }
}

/// The keyboard, the lightbox and the shortcut list. `full` is the largest size (the
/// lightbox's image, zoomable up to its own pixels).
#[island]
pub fn Viewer(full: ImageSrc) -> impl IntoView {
    let open = RwSignal::new(false);
    let help = RwSignal::new(false);
    let zoom = RwSignal::new(Zoom::FIT);
    let lightbox = NodeRef::<leptos::html::Div>::new();
    let picture = NodeRef::<leptos::html::Img>::new();
    // How far the image may grow: the largest size's pixels over its fitted width.
    let natural = f64::from(full.width);
    let max_scale = move || {
        let shown = picture
            .get_untracked()
            .map(|i| f64::from(i.client_width()))
            .unwrap_or(0.0);
        if shown > 0.0 {
            (natural / shown).max(1.0)
        } else {
            1.0
        }
    };
    let set_open = move |on: bool| {
        open.set(on);
        zoom.set(Zoom::FIT);
        dom::full_screen(lightbox.get_untracked(), on);
    };
    // The buttons do nothing without JavaScript: shown only once it runs.
    let live = RwSignal::new(false);
    Effect::new(move |_| {
        live.set(true);
        dom::remember_listing();
    });
    Effect::new(move |_| {
        dom::on_keys(move |key| {
            match key {
                "ArrowLeft" => dom::step("prev"),
                "ArrowRight" => dom::step("next"),
                "Escape" if help.get_untracked() => help.set(false),
                "Escape" if open.get_untracked() => set_open(false),
                "Escape" => dom::back(),
                "f" => set_open(!open.get_untracked()),
                "i" => dom::toggle_info(),
                "l" => dom::like(),
                "?" => help.update(|h| *h = !*h),
                _ => return false,
            }
            true
        })
    });
    let pointers = StoredValue::new_local(dom::Pointers::default());
    let on_wheel = move |e: web_sys::WheelEvent| {
        e.prevent_default();
        let (cx, cy) = dom::from_centre(lightbox.get_untracked(), e.client_x(), e.client_y());
        let factor = (-e.delta_y() * 0.002).exp();
        let max = max_scale();
        zoom.update(|z| *z = z.around(factor, cx, cy, max));
    };
    let on_down = move |e: web_sys::PointerEvent| {
        pointers.update_value(|p| p.down(e.pointer_id(), e.client_x(), e.client_y()));
    };
    let on_move = move |e: web_sys::PointerEvent| {
        let step =
            pointers.try_update_value(|p| p.moved(e.pointer_id(), e.client_x(), e.client_y()));
        match step.flatten() {
            Some(dom::Gesture::Pan(dx, dy)) if zoom.get_untracked().scale > 1.0 => {
                zoom.update(|z| {
                    z.x += dx;
                    z.y += dy;
                })
            }
            Some(dom::Gesture::Pinch(factor, x, y)) => {
                let (cx, cy) = dom::from_centre(lightbox.get_untracked(), x, y);
                let max = max_scale();
                zoom.update(|z| *z = z.around(factor, cx, cy, max));
            }
            _ => {}
        }
    };
    let on_up = move |e: web_sys::PointerEvent| {
        let swipe = pointers.try_update_value(|p| p.up(e.pointer_id(), e.client_x()));
        // A swipe moves only while the image is fitted; zoomed, the finger pans.
        if let Some(Some(dx)) = swipe {
            if zoom.get_untracked().scale <= 1.0 && dx.abs() > 60.0 {
                dom::step(if dx > 0.0 { "prev" } else { "next" });
            }
        }
    };
    let on_double = move |e: web_sys::MouseEvent| {
        let (cx, cy) = dom::from_centre(lightbox.get_untracked(), e.client_x(), e.client_y());
        let max = max_scale();
        zoom.update(|z| {
            *z = if z.scale > 1.0 {
                Zoom::FIT
            } else {
                z.around(max, cx, cy, max)
            }
        });
    };
    // Always an element, never an optional view: with `erase_components` on the server an
    // `Option` inside an island rendered markers the browser's hydration could not cast.
    let image = view! {
        <img
            node_ref=picture
            src=full.url
            width=full.width
            height=full.height
            alt=""
            draggable="false"
            style:transform=move || zoom.get().css()
            data-scale=move || format!("{:.2}", zoom.get().scale)
            on:dblclick=on_double
        />
    };
    view! {
        <div class="viewer-bar" hidden=move || !live.get()>
            <button type="button" class="button" on:click=move |_| set_open(true) aria-keyshortcuts="f">
                "Full screen"
            </button>
            <button type="button" class="button" on:click=move |_| help.set(true) aria-keyshortcuts="?">
                "Shortcuts"
            </button>
        </div>
        <div
            node_ref=lightbox
            class="lightbox"
            role="dialog"
            aria-modal="true"
            aria-label="Photo, full screen"
            hidden=move || !open.get()
            on:wheel=on_wheel
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointercancel=on_up
        >
            {image}
            <button type="button" class="lightbox-close" on:click=move |_| set_open(false) aria-label="Close full screen">
                "×"
            </button>
        </div>
        <div class="shortcuts" role="dialog" aria-labelledby="shortcuts-title" hidden=move || !help.get()>
            <ShortcutList />
            <button type="button" class="button" on:click=move |_| help.set(false)>"Close"</button>
        </div>
    }
}

/// What the viewer does to the page around it; only runs in the browser.
mod dom {
    use leptos::prelude::*;
    use wasm_bindgen::{closure::Closure, JsCast};

    /// Where the listing that opened this photo is remembered for Esc (tab-scoped).
    const FROM: &str = "lumen.viewer.from";

    /// Calls `f` with each key pressed outside form fields and without modifiers; `f`
    /// says whether it handled it.
    pub fn on_keys(f: impl Fn(&str) -> bool + 'static) {
        let on_key =
            Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                if e.alt_key() || e.ctrl_key() || e.meta_key() {
                    return;
                }
                let typing = document().active_element().is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        || el.has_attribute("contenteditable")
                });
                if !typing && f(&e.key()) {
                    e.prevent_default();
                }
            });
        let _ =
            document().add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        // Lives as long as the page.
        on_key.forget();
    }

    fn link(selector: &str) -> Option<web_sys::HtmlAnchorElement> {
        document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|a| a.dyn_into().ok())
    }

    /// Follows `a[rel=prev|next]` in place of this page in the history, so that Esc's
    /// "back" after several steps is one step back: to the grid, where it was scrolled.
    pub fn step(rel: &str) {
        if let Some(a) = link(&format!("a[rel={rel}]")) {
            let _ = window().location().replace(&a.href());
        }
    }

    /// On arrival from a listing, remembers its path; arrival from another photo (a step)
    /// keeps what the first photo remembered.
    pub fn remember_listing() {
        let Ok(Some(store)) = window().session_storage() else {
            return;
        };
        let referrer = document().referrer();
        let Ok(from) = web_sys::Url::new(&referrer) else {
            let _ = store.remove_item(FROM);
            return;
        };
        let here = window().location().origin().unwrap_or_default();
        if from.origin() != here {
            let _ = store.remove_item(FROM);
        } else if !from.pathname().starts_with("/p/") {
            let _ = store.set_item(FROM, &from.pathname());
        }
    }

    /// Back to the listing: through the history when it is the page before this one (the
    /// browser restores its scroll position), else to its first page.
    pub fn back() {
        let Some(a) = link("a[data-back]") else {
            return;
        };
        let from = window()
            .session_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(FROM).ok().flatten());
        let target = web_sys::Url::new(&a.href()).map(|u| u.pathname()).ok();
        if from.is_some() && from == target {
            let _ = window().history().and_then(|h| h.back());
        } else {
            a.click();
        }
    }

    pub fn toggle_info() {
        if let Ok(Some(info)) = document().query_selector("#info") {
            let _ = info.toggle_attribute("hidden");
        }
    }

    /// Presses the like button, when there is one (signed in).
    pub fn like() {
        if let Ok(Some(b)) = document().query_selector(".like-form button[type=submit]") {
            if let Ok(b) = b.dyn_into::<web_sys::HtmlElement>() {
                b.click();
            }
        }
    }

    pub fn full_screen(el: Option<web_sys::HtmlDivElement>, on: bool) {
        let doc = document();
        match (on, el) {
            (true, Some(el)) => {
                let _ = el.request_fullscreen();
            }
            (false, _) if doc.fullscreen_element().is_some() => doc.exit_fullscreen(),
            _ => {}
        }
    }

    /// A client point relative to the element's centre (where the image's transform
    /// starts).
    pub fn from_centre(el: Option<web_sys::HtmlDivElement>, x: i32, y: i32) -> (f64, f64) {
        let Some(r) = el.map(|e| e.get_bounding_client_rect()) else {
            return (0.0, 0.0);
        };
        (
            f64::from(x) - (r.left() + r.width() / 2.0),
            f64::from(y) - (r.top() + r.height() / 2.0),
        )
    }

    pub enum Gesture {
        Pan(f64, f64),
        /// Factor, and the point between the fingers.
        Pinch(f64, i32, i32),
    }

    /// The fingers (or mouse) on the lightbox: one pans or swipes, two pinch.
    #[derive(Default)]
    pub struct Pointers {
        down: Vec<(i32, i32, i32)>,
        start_x: Option<i32>,
    }

    impl Pointers {
        pub fn down(&mut self, id: i32, x: i32, y: i32) {
            self.down.retain(|p| p.0 != id);
            self.down.push((id, x, y));
            self.start_x = (self.down.len() == 1).then_some(x);
        }

        pub fn moved(&mut self, id: i32, x: i32, y: i32) -> Option<Gesture> {
            let i = self.down.iter().position(|p| p.0 == id)?;
            let before = self.down.clone();
            self.down[i] = (id, x, y);
            match (before.as_slice(), self.down.as_slice()) {
                ([a], [b]) => Some(Gesture::Pan(f64::from(b.1 - a.1), f64::from(b.2 - a.2))),
                ([a0, a1], [b0, b1]) => {
                    let d = |p: &(i32, i32, i32), q: &(i32, i32, i32)| {
                        f64::from(p.1 - q.1).hypot(f64::from(p.2 - q.2))
                    };
                    let (was, now) = (d(a0, a1), d(b0, b1));
                    (was > 0.0)
                        .then(|| Gesture::Pinch(now / was, (b0.1 + b1.1) / 2, (b0.2 + b1.2) / 2))
                }
                _ => None,
            }
        }

        /// The horizontal distance of a one-finger swipe that ends here.
        pub fn up(&mut self, id: i32, x: i32) -> Option<f64> {
            let single = self.down.len() == 1;
            self.down.retain(|p| p.0 != id);
            let start = self.start_x.take();
            single.then(|| start.map(|s| f64::from(x - s))).flatten()
        }
    }
}

/// The design catalogue's viewer samples: previous / next, the lightbox and the shortcut
/// list drawn in place (not over the page), and the details panel full and sparse.
pub fn design_samples(image: &'static str) -> AnyView {
    use crate::components::photo_view::Facts;
    use crate::model::{CameraFacts, PhotoStatus, PhotoView, Preview, Visibility};
    let photo = |facts: CameraFacts, location: Option<&str>| PhotoView {
        id: "design-ready".into(),
        title: "Harbour at dawn".into(),
        caption: String::new(),
        alt: String::new(),
        visibility: Visibility::Public,
        owner: Some("ada".into()),
        is_owner: location.is_some(),
        allow_original: false,
        original_url: None,
        location: location.map(str::to_string),
        status: PhotoStatus::Ready,
        failure: None,
        width: Some(6000),
        height: Some(4000),
        created_at: "3 June 2025".into(),
        images: Vec::new(),
        placeholder: None,
        blur: None,
        facts,
        preview: Preview::default(),
    };
    let full = CameraFacts {
        camera: Some("FUJIFILM X-T4".into()),
        lens: Some("XF23mmF1.4 R".into()),
        focal: Some("23 mm (35 mm in 35 mm terms)".into()),
        aperture: Some("ƒ/2.8".into()),
        shutter: Some("1/250 s".into()),
        iso: Some("ISO 400".into()),
        compensation: Some("−0.7 EV".into()),
        taken_at: Some("2025-06-03 05:42 (UTC+02:00)".into()),
        taken_iso: Some("2025-06-03T05:42:10+02:00".into()),
        file_size: Some("8.4 MB".into()),
        map_url: Some(
            "https://www.openstreetmap.org/?mlat=48.85822&mlon=2.29450#map=15/48.85822/2.29450"
                .into(),
        ),
    };
    let sparse = CameraFacts {
        file_size: Some("950 KB".into()),
        ..CameraFacts::default()
    };
    let nav = ContextNav {
        label: "#golden hour".into(),
        back: "/_design".into(),
        prev: Some("#light-viewer".into()),
        next: Some("#light-viewer".into()),
        preload: Vec::new(),
    };
    view! {
        <div class="design-stack">
            <h4>"Previous / next (from a tag page)"</h4>
            <ContextLinks nav />
            <h4>"Lightbox"</h4>
            <div class="lightbox design-in-place" aria-label="Photo, full screen (sample)">
                <img src=image width="640" height="480" alt="" data-scale="1.00" />
                <button type="button" class="lightbox-close" aria-label="Close full screen">"×"</button>
            </div>
            <h4>"Shortcut list"</h4>
            <div class="shortcuts design-in-place">
                <ShortcutList />
                <button type="button" class="button">"Close"</button>
            </div>
            <h4>"Details, full (the owner's view, with the map link)"</h4>
            <Facts p=photo(full, Some("48.85822, 2.29450")) gear_links=true />
            <h4>"Details, sparse (a file without camera data)"</h4>
            <Facts p=photo(sparse, None) />
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::Zoom;

    #[test]
    fn zoom_stays_between_fit_and_the_largest_pixels() {
        let z = Zoom::FIT.around(10.0, 0.0, 0.0, 2.5);
        assert_eq!(z.scale, 2.5);
        let out = z.around(0.01, 0.0, 0.0, 2.5);
        assert_eq!(out, Zoom::FIT);
        // Zooming at a point keeps that point still.
        let at = Zoom::FIT.around(2.0, 100.0, 50.0, 4.0);
        assert_eq!((at.x, at.y), (-100.0, -50.0));
        assert_eq!(Zoom::FIT.around(3.0, 0.0, 0.0, 0.5), Zoom::FIT);
    }
}
