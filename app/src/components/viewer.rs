//! The photo viewer: previous / next within the listing a photo was opened from (plain
//! links, so they work without JavaScript), and where JavaScript runs, the keyboard
//! (← → Esc f i l ?), a full-screen lightbox with wheel / pinch zoom and swipes, and the
//! shortcut list.

use leptos::prelude::*;

use crate::model::{ContextNav, ImageSrc};

/// Previous / next and the way back to the listing. The neighbours' images are named in
/// `data-prefetch` and fetched ahead by the viewer once it runs (after the page's own photo:
/// a `<link rel=prefetch>` in the page shared the line with it and held back its paint).
#[component]
pub fn ContextLinks(nav: ContextNav) -> impl IntoView {
    let prefetch = (!nav.preload.is_empty()).then(|| nav.preload.join(" "));
    view! {
        <nav class="album-nav" aria-label="In this listing" data-prefetch=prefetch>
            {nav.prev.map(|href| view! { <a href=href rel="prev">"← Previous"</a> })}
            <a href=nav.back data-back="">
                "Back to " <bdi>{nav.label}</bdi>
            </a>
            {nav.next.map(|href| view! { <a href=href rel="next">"Next →"</a> })}
        </nav>
    }
}

/// The keys the viewer answers, as the shortcut list shows them.
pub const SHORTCUTS: [(&str, &str); 7] = [
    ("←", "Previous photo"),
    ("→", "Next photo"),
    ("Esc", "Back to the photos (or close)"),
    ("f", "Full screen"),
    ("i", "Show or hide the details"),
    ("l", "Like"),
    ("?", "This list"),
];

/// The list of shortcuts (the `?` overlay; also the design catalogue's sample).
#[component]
pub fn ShortcutList() -> impl IntoView {
    let rows = SHORTCUTS
        .iter()
        .map(|(k, what)| view! { <dt><kbd>{*k}</kbd></dt> <dd>{*what}</dd> })
        .collect_view();
    view! {
        <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
        <dl class="shortcut-list">{rows}</dl>
    }
}

/// The viewer's buttons, lightbox and shortcut list, rendered by the server outside any
/// island and hidden; the `Viewer` island after them has no view of its own and wires them
/// up through the DOM. (A view inside the island broke hydration: the Worker renders with
/// type-erased views, the browser's build did not find the markers it expected, and the
/// panic stopped every island after it.) Without JavaScript all of it stays hidden.
#[component]
pub fn ViewerParts(images: Vec<ImageSrc>, alt: String) -> impl IntoView {
    // A photo without sizes (its job has not written any) still gets the keys.
    let largest = images.last().cloned();
    let open = largest.is_some().then(|| {
        view! {
            <button type="button" class="button" data-viewer="open" aria-keyshortcuts="f">
                "Full screen"
            </button>
        }
    });
    let lightbox = largest.map(|size| {
        let variants = variants_attr(&images);
        let full = Some((size.url.clone(), size.width));
        view! { <Lightbox size=Some(size) alt variants full hidden=true /> }
    });
    view! {
        <div class="viewer-bar">
            {open}
            <button type="button" class="button" data-viewer="help" aria-keyshortcuts="?">
                "Shortcuts"
            </button>
        </div>
        {lightbox}
        <div id="shortcuts" class="shortcuts" role="dialog" aria-labelledby="shortcuts-title" hidden>
            <ShortcutList />
            <button type="button" class="button" data-viewer="close-help">"Close"</button>
        </div>
        <Viewer />
    }
}

/// The lightbox: the image gets its address when opened (the size that fits the screen,
/// from `data-variants`), and the largest one (`data-full`) once zoomed in.
#[component]
fn Lightbox(
    /// Any size: it gives the box its shape.
    size: Option<ImageSrc>,
    alt: String,
    variants: String,
    full: Option<(String, u32)>,
    hidden: bool,
    #[prop(optional)] src: Option<String>,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let (width, height) = size.as_ref().map(|f| (f.width, f.height)).unwrap_or((0, 0));
    let (full_url, full_width) = full.unzip();
    // The catalogue's copy sits in the page: not a dialog, and not the one the keys open.
    let live = class.is_empty();
    view! {
        <div
            id=live.then_some("lightbox")
            class=format!("lightbox {class}")
            role=live.then_some("dialog")
            aria-modal=live.then_some("true")
            aria-label="Photo, full screen"
            hidden=hidden
        >
            <img
                src=src
                width=width
                height=height
                alt=alt
                draggable="false"
                data-scale="1.00"
                data-variants=variants
                data-full=full_url
                data-full-width=full_width
            />
            <button type="button" class="lightbox-close" data-viewer="close" aria-label="Close full screen">
                "×"
            </button>
        </div>
    }
}

/// Every size as `width url` pairs, comma-separated (the addresses hold neither).
fn variants_attr(images: &[ImageSrc]) -> String {
    images
        .iter()
        .map(|i| format!("{} {}", i.width, i.url))
        .collect::<Vec<_>>()
        .join(",")
}

/// The smallest size at least `needed` pixels wide, else the largest.
pub fn pick_variant(variants: &str, needed: f64) -> Option<&str> {
    let mut sizes: Vec<(u32, &str)> = variants
        .split(',')
        .filter_map(|v| {
            let (w, url) = v.trim().split_once(' ')?;
            Some((w.parse().ok()?, url))
        })
        .collect();
    sizes.sort_by_key(|s| s.0);
    sizes
        .iter()
        .find(|(w, _)| f64::from(*w) >= needed)
        .or(sizes.last())
        .map(|s| s.1)
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
            "transform: translate({:.1}px, {:.1}px) scale({:.3})",
            self.x, self.y, self.scale
        )
    }
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
                (was > 0.0).then(|| Gesture::Pinch(now / was, (b0.1 + b1.1) / 2, (b0.2 + b1.2) / 2))
            }
            _ => None,
        }
    }

    /// The horizontal distance of a one-finger swipe that ends here (a second finger
    /// ends the swipe: that was a pinch).
    pub fn up(&mut self, id: i32, x: i32) -> Option<f64> {
        let single = self.down.len() == 1;
        self.down.retain(|p| p.0 != id);
        let start = self.start_x.take();
        single.then(|| start.map(|s| f64::from(x - s))).flatten()
    }
}

/// The keyboard, the lightbox's zoom and swipes, and the shortcut list, on the markup
/// `ViewerParts` rendered. No view: nothing here for hydration to match.
#[island]
pub fn Viewer() -> impl IntoView {
    Effect::new(move |_| dom::wire());
}

/// What the viewer does to the page around it; only runs in the browser.
mod dom {
    use std::cell::RefCell;
    use std::rc::Rc;

    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    use super::{pick_variant, Gesture, Pointers, Zoom};

    /// Where the listing that opened this photo is remembered for Esc (tab-scoped).
    const FROM: &str = "lumen.viewer.from";
    /// Set while stepping with the lightbox open, so the next photo opens in it too.
    const STAY_OPEN: &str = "lumen.viewer.open";

    #[wasm_bindgen]
    extern "C" {
        /// An element, seen as returning the promise web-sys's binding drops.
        type Screen;
        type Promise;
        #[wasm_bindgen(method, js_name = requestFullscreen)]
        fn request_fullscreen_promise(this: &Screen) -> Promise;
        #[wasm_bindgen(method, js_name = catch)]
        fn catch(this: &Promise, f: &Closure<dyn FnMut(JsValue)>) -> Promise;
    }

    struct State {
        open: bool,
        zoom: Zoom,
        pointers: Pointers,
        /// The lightbox and its image; none for a photo without sizes.
        photo: Option<(web_sys::HtmlElement, web_sys::HtmlImageElement)>,
        help: web_sys::HtmlElement,
    }

    type Shared = Rc<RefCell<State>>;

    fn find<T: JsCast>(selector: &str) -> Option<T> {
        document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into().ok())
    }

    /// `f` on every `event` at `target`, for as long as the page lives.
    fn listen<E: JsCast>(
        target: &web_sys::EventTarget,
        event: &str,
        mut f: impl FnMut(E) + 'static,
    ) {
        let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            if let Ok(e) = e.dyn_into::<E>() {
                f(e)
            }
        });
        let _ = target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
        cb.forget();
    }

    /// The neighbours' images (named by `ContextLinks`), fetched at the browser's leisure.
    fn prefetch_neighbours() {
        let Some(nav) = find::<web_sys::Element>("[data-prefetch]") else {
            return;
        };
        let (Some(list), Some(head)) = (nav.get_attribute("data-prefetch"), document().head())
        else {
            return;
        };
        for href in list.split_whitespace() {
            if let Ok(link) = document().create_element("link") {
                let _ = link.set_attribute("rel", "prefetch");
                let _ = link.set_attribute("href", href);
                let _ = head.append_child(&link);
            }
        }
    }

    pub fn wire() {
        let Some(help) = find::<web_sys::HtmlElement>("#shortcuts") else {
            return;
        };
        let photo = find::<web_sys::HtmlElement>("#lightbox")
            .zip(find::<web_sys::HtmlImageElement>("#lightbox img"));
        if let Some(bar) = find::<web_sys::HtmlElement>(".viewer-bar") {
            let _ = bar.set_attribute("data-live", "");
        }
        remember_listing();
        prefetch_neighbours();
        let s: Shared = Rc::new(RefCell::new(State {
            open: false,
            zoom: Zoom::FIT,
            pointers: Pointers::default(),
            photo: photo.clone(),
            help,
        }));
        let doc: web_sys::EventTarget = document().into();
        listen(&doc, "keydown", {
            let s = s.clone();
            move |e: web_sys::KeyboardEvent| on_key(&s, e)
        });
        listen(&doc, "click", {
            let s = s.clone();
            move |e: web_sys::MouseEvent| on_click(&s, e)
        });
        // The browser leaves full screen on its own (Esc): the lightbox closes with it.
        listen(&doc, "fullscreenchange", {
            let s = s.clone();
            move |_: web_sys::Event| {
                let open = s.borrow().open;
                if open && document().fullscreen_element().is_none() {
                    set_open(&s, false, false);
                }
            }
        });
        // Deep links (`#lightbox`, `#shortcuts`) and arrival from a step taken in the lightbox.
        listen(&window().into(), "hashchange", {
            let s = s.clone();
            move |_: web_sys::Event| from_hash(&s)
        });
        if let Some((lightbox, img)) = photo {
            gestures(&s, lightbox.into(), img.into());
        }
        from_hash(&s);
        let stay = session().and_then(|st| {
            let v = st.get_item(STAY_OPEN).ok().flatten();
            let _ = st.remove_item(STAY_OPEN);
            v
        });
        if stay.is_some() {
            set_open(&s, true, false);
        }
    }

    /// Wheel and pinch zoom, pan, swipes and double-click on the lightbox.
    fn gestures(s: &Shared, lb: web_sys::EventTarget, img: web_sys::EventTarget) {
        listen(&lb, "wheel", {
            let s = s.clone();
            move |e: web_sys::WheelEvent| {
                e.prevent_default();
                let factor = (-e.delta_y() * 0.002).exp();
                zoom_at(&s, factor, e.client_x(), e.client_y());
            }
        });
        listen(&lb, "pointerdown", {
            let s = s.clone();
            move |e: web_sys::PointerEvent| {
                s.borrow_mut()
                    .pointers
                    .down(e.pointer_id(), e.client_x(), e.client_y())
            }
        });
        listen(&lb, "pointermove", {
            let s = s.clone();
            move |e: web_sys::PointerEvent| {
                let step =
                    s.borrow_mut()
                        .pointers
                        .moved(e.pointer_id(), e.client_x(), e.client_y());
                match step {
                    Some(Gesture::Pan(dx, dy)) => {
                        let mut z = s.borrow().zoom;
                        if z.scale > 1.0 {
                            z.x += dx;
                            z.y += dy;
                            apply(&s, z);
                        }
                    }
                    Some(Gesture::Pinch(factor, x, y)) => zoom_at(&s, factor, x, y),
                    None => {}
                }
            }
        });
        for ev in ["pointerup", "pointercancel"] {
            listen(&lb, ev, {
                let s = s.clone();
                move |e: web_sys::PointerEvent| {
                    let swipe = s.borrow_mut().pointers.up(e.pointer_id(), e.client_x());
                    // A swipe moves only while the image is fitted; zoomed, the finger pans.
                    let fitted = s.borrow().zoom.scale <= 1.0;
                    if let Some(dx) = swipe.filter(|dx| fitted && dx.abs() > 60.0) {
                        step(&s, if dx > 0.0 { "prev" } else { "next" });
                    }
                }
            });
        }
        listen(&img, "dblclick", {
            let s = s.clone();
            move |e: web_sys::MouseEvent| {
                let zoomed = s.borrow().zoom.scale > 1.0;
                if zoomed {
                    apply(&s, Zoom::FIT);
                } else {
                    zoom_at(&s, f64::INFINITY, e.client_x(), e.client_y());
                }
            }
        });
    }

    fn from_hash(s: &Shared) {
        match window().location().hash().unwrap_or_default().as_str() {
            "#lightbox" => {
                set_help(s, false);
                set_open(s, true, false);
            }
            "#shortcuts" => {
                set_open(s, false, false);
                set_help(s, true);
            }
            _ => {}
        }
    }

    fn on_key(s: &Shared, e: web_sys::KeyboardEvent) {
        // Keys typed into a field (the comment box) are text, not commands.
        if e.alt_key() || e.ctrl_key() || e.meta_key() || crate::components::key_nav::typing() {
            return;
        }
        let (open, help) = {
            let st = s.borrow();
            (st.open, !st.help.hidden())
        };
        match e.key().as_str() {
            "ArrowLeft" => step(s, "prev"),
            "ArrowRight" => step(s, "next"),
            "Escape" if help => set_help(s, false),
            "Escape" if open => set_open(s, false, true),
            "Escape" => back(),
            "f" => set_open(s, !open, true),
            "i" => toggle_info(),
            "l" => like(),
            "?" => set_help(s, !help),
            _ => return,
        }
        e.prevent_default();
    }

    fn on_click(s: &Shared, e: web_sys::MouseEvent) {
        let Some(el) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        // The page's photo opens the lightbox too (a tap on a phone).
        if el.matches(".photo-page figure.photo img").unwrap_or(false) {
            set_open(s, true, true);
            return;
        }
        let Ok(Some(button)) = el.closest("[data-viewer]") else {
            return;
        };
        match button.get_attribute("data-viewer").as_deref() {
            Some("open") => set_open(s, true, true),
            Some("close") => set_open(s, false, true),
            Some("help") => set_help(s, true),
            Some("close-help") => set_help(s, false),
            _ => {}
        }
    }

    /// Opens or closes the lightbox; `screen` also asks the browser for full screen (only
    /// allowed in answer to a key or a click).
    fn set_open(s: &Shared, on: bool, screen: bool) {
        let Some((lightbox, img)) = s.borrow().photo.clone() else {
            return;
        };
        s.borrow_mut().open = on;
        apply(s, Zoom::FIT);
        if on && img.get_attribute("src").is_none() {
            // The size that fits this screen, in device pixels.
            let (w, h) = (img.width().max(1), img.height().max(1));
            let vw = window()
                .inner_width()
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(1280.0);
            let vh = window()
                .inner_height()
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(800.0);
            let needed = vw.min(vh * f64::from(w) / f64::from(h)) * window().device_pixel_ratio();
            let variants = img.get_attribute("data-variants").unwrap_or_default();
            if let Some(url) = pick_variant(&variants, needed) {
                img.set_src(url);
            }
        }
        lightbox.set_hidden(!on);
        let doc = document();
        if on {
            if let Some(close) = find::<web_sys::HtmlElement>("#lightbox .lightbox-close") {
                let _ = close.focus();
            }
            if screen {
                // Refused in some browsers and frames: the lightbox fills the window anyway.
                let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
                lightbox
                    .unchecked_ref::<Screen>()
                    .request_fullscreen_promise()
                    .catch(&ignore);
                ignore.forget();
            }
        } else if doc.fullscreen_element().is_some() {
            doc.exit_fullscreen();
        }
    }

    fn set_help(s: &Shared, on: bool) {
        let help = s.borrow().help.clone();
        help.set_hidden(!on);
        if on {
            if let Some(close) = find::<web_sys::HtmlElement>("#shortcuts button") {
                let _ = close.focus();
            }
        }
    }

    /// Zooms by `factor` around a client point, up to the largest size's own pixels.
    fn zoom_at(s: &Shared, factor: f64, x: i32, y: i32) {
        let (z, Some((lightbox, img))) = ({ s.borrow().zoom }, s.borrow().photo.clone()) else {
            return;
        };
        let r = lightbox.get_bounding_client_rect();
        let (cx, cy) = (
            f64::from(x) - (r.left() + r.width() / 2.0),
            f64::from(y) - (r.top() + r.height() / 2.0),
        );
        let full: f64 = img
            .get_attribute("data-full-width")
            .and_then(|w| w.parse().ok())
            .unwrap_or(0.0);
        let shown = f64::from(img.client_width());
        let max = if shown > 0.0 { full / shown } else { 1.0 };
        apply(s, z.around(factor, cx, cy, max));
    }

    /// Shows `z`; the first zoom past the fitted size loads the largest size.
    fn apply(s: &Shared, z: Zoom) {
        s.borrow_mut().zoom = z;
        let Some((_, img)) = s.borrow().photo.clone() else {
            return;
        };
        let _ = img.set_attribute("style", &z.css());
        let _ = img.set_attribute("data-scale", &format!("{:.2}", z.scale));
        if z.scale > 1.0 {
            if let Some(full) = img.get_attribute("data-full") {
                if img.get_attribute("src").as_deref() != Some(full.as_str()) {
                    img.set_src(&full);
                }
            }
        }
    }

    fn session() -> Option<web_sys::Storage> {
        window().session_storage().ok().flatten()
    }

    /// Follows `a[rel=prev|next]` in place of this page in the history, so that Esc's
    /// "back" after several steps is one step back: to the grid, where it was scrolled.
    fn step(s: &Shared, rel: &str) {
        let Some(a) = find::<web_sys::HtmlAnchorElement>(&format!("a[rel={rel}]")) else {
            return;
        };
        if s.borrow().open {
            if let Some(st) = session() {
                let _ = st.set_item(STAY_OPEN, "1");
            }
        }
        let _ = window().location().replace(&a.href());
    }

    /// On arrival from a listing, remembers its path; arrival from another photo (a step)
    /// keeps what the first photo remembered.
    fn remember_listing() {
        let Some(store) = session() else {
            return;
        };
        let Ok(from) = web_sys::Url::new(&document().referrer()) else {
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
    fn back() {
        let Some(a) = find::<web_sys::HtmlAnchorElement>("a[data-back]") else {
            return;
        };
        let from = session().and_then(|s| s.get_item(FROM).ok().flatten());
        let target = web_sys::Url::new(&a.href()).map(|u| u.pathname()).ok();
        if from.is_some() && from == target {
            let _ = window().history().and_then(|h| h.back());
        } else {
            a.click();
        }
    }

    fn toggle_info() {
        if let Ok(Some(info)) = document().query_selector("#info") {
            let _ = info.toggle_attribute("hidden");
        }
    }

    /// Presses the like button, when there is one (signed in): the like form's own
    /// submission, so its checks (same-site, permission) are the ones that apply.
    fn like() {
        if let Some(b) = find::<web_sys::HtmlElement>(".like-form button[type=submit]") {
            b.click();
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
            <h4>"Lightbox (f, or a click on the photo; drawn in place here)"</h4>
            <Lightbox
                size=Some(ImageSrc { url: image.into(), width: 640, height: 480 })
                alt=String::new()
                variants=String::new()
                full=None
                hidden=false
                src=image.to_string()
                class="design-in-place"
            />
            <h4>"Shortcut list (?)"</h4>
            <div class="shortcuts design-in-place" role="dialog" aria-label="Keyboard shortcuts (sample)">
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
    use super::{pick_variant, variants_attr, Gesture, Pointers, Zoom};
    use crate::model::ImageSrc;

    #[test]
    fn the_lightbox_asks_for_the_smallest_size_that_fills_the_screen() {
        let sizes: Vec<ImageSrc> = [320, 640, 1280, 1411]
            .into_iter()
            .map(|w| ImageSrc {
                url: format!("/media/p/{w}.webp"),
                width: w,
                height: w,
            })
            .collect();
        let attr = variants_attr(&sizes);
        assert_eq!(pick_variant(&attr, 800.0), Some("/media/p/1280.webp"));
        assert_eq!(pick_variant(&attr, 640.0), Some("/media/p/640.webp"));
        assert_eq!(
            pick_variant(&attr, 3000.0),
            Some("/media/p/1411.webp"),
            "else the largest"
        );
        assert_eq!(pick_variant("", 10.0), None);
        assert_eq!(
            pick_variant("x /a, 10 /b", 500.0),
            Some("/b"),
            "a broken pair is skipped"
        );
    }

    #[test]
    fn one_finger_pans_and_swipes_two_pinch() {
        let mut p = Pointers::default();
        p.down(1, 100, 100);
        assert!(
            matches!(p.moved(1, 90, 95), Some(Gesture::Pan(dx, dy)) if dx == -10.0 && dy == -5.0)
        );
        assert_eq!(p.up(1, 20), Some(-80.0), "a swipe to the left");
        p.down(1, 100, 100);
        p.down(2, 200, 100);
        assert!(matches!(p.moved(2, 300, 100), Some(Gesture::Pinch(f, 200, 100)) if f == 2.0));
        assert_eq!(p.up(2, 300), None, "lifting one of two fingers is no swipe");
        assert_eq!(p.up(1, 0), None);
        assert!(p.moved(9, 0, 0).is_none(), "a pointer never pressed");
    }

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
