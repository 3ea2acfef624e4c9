//! What the window's kittest tests share: letting the worker answer, typing into a field, and
//! waiting for a label.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use super::KunciApp;

/// A few frames, everything the worker was asked, then a few frames more: the state a user
/// would see after a moment.
pub fn settle(h: &mut Harness<'static, KunciApp>) {
    h.run_steps(2);
    h.state_mut().wait_for_worker(Duration::from_secs(20));
    h.run_steps(3);
}

/// Focuses the field labelled `field` and types `text`; then lets a modal settle its size
/// and place over a few frames, so the next click goes where it settled.
pub fn type_into(h: &mut Harness<'static, KunciApp>, field: &str, text: &str) {
    let node = h.get_by_label(field);
    node.focus();
    node.type_text(text);
    h.run_steps(4);
}

/// Runs frames until a node whose label contains `label` shows (Argon2id, the keychain and
/// file threads take a moment; a minute is a failure, however busy the machine).
pub fn wait_for(h: &mut Harness<'static, KunciApp>, label: &str) {
    let start = Instant::now();
    while h.query_by_label_contains(label).is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{label} never showed"
        );
        std::thread::sleep(Duration::from_millis(20));
        h.state_mut().wait_for_worker(Duration::from_secs(30));
        h.run_steps(1);
    }
    h.run_steps(4);
}
