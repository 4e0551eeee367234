//! `update`: the only place the model changes. No IO here: anything that needs the
//! outside world is returned as an [`Effect`].
//!
//! This module routes: a key goes to the top layer first, and only when there is
//! none to the main screen ([`screen`] for moving about, [`mail`] for acting on
//! mail); engine events go to [`events`]. The rules live with the state they are
//! about (`MessageList`, the layers, `Acting`).

mod complete;
mod compose;
mod events;
mod mail;
mod outbox;
mod screen;

use crossterm::event::KeyEvent;

use super::keymap;
use super::layer::{Layer, Reply};
use super::model::{Model, Status};
use super::msg::{Effect, Msg};
use crate::keys::{Action, Chord};

pub use compose::countdown;

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Edited { draft, outcome } => compose::edited(model, draft, outcome),
        Msg::Attached { draft, file } => compose::attached(model, draft, file),
        Msg::PathsFound { partial, found } => compose::paths_found(model, &partial, &found),
        Msg::Hangup => compose::hangup(model),
        Msg::Key(key) => on_key(model, key),
        Msg::Paste(text) => compose::paste(model, &text),
        Msg::Resize(w, h) => {
            model.size = (w, h);
            model.dirty = true;
            screen::keep_in_view(model);
            Vec::new()
        }
        Msg::Engine(event) => {
            model.dirty = true;
            let effects = events::on_event(model, event);
            screen::keep_in_view(model);
            effects
        }
        Msg::Tick(clock) => {
            // Dates are drawn to the minute: redraw only when that changes.
            if clock.now.div_euclid(60) != model.clock.now.div_euclid(60)
                || clock.utc_offset != model.clock.utc_offset
            {
                model.dirty = true;
            }
            model.clock = clock;
            // A countdown of undo send is drawn to the second.
            if !model.composer.held.is_empty() {
                model.dirty = true;
            }
            compose::autosave(model)
        }
    }
}

fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if matches!(model.layers.last(), Some(Layer::Writer(_))) {
        model.dirty = true;
        return compose::writer_key(model, key);
    }
    let Some(chord) = keymap::chord(&key) else {
        return Vec::new();
    };
    model.dirty = true;
    let effects = if model.layers.is_empty() {
        on_main_key(model, chord)
    } else {
        on_layer_key(model, chord)
    };
    screen::keep_in_view(model);
    effects
}

fn on_layer_key(model: &mut Model, chord: Chord) -> Vec<Effect> {
    let page = layer_page(model);
    let Some(layer) = model.layers.last_mut() else {
        return Vec::new();
    };
    let reply = layer.on_key(chord, &model.settings.keys, page);
    match reply {
        Reply::Consumed => Vec::new(),
        Reply::Closed => {
            model.layers.pop();
            Vec::new()
        }
        Reply::Answer(answer) => {
            model.layers.pop();
            mail::answer(model, answer)
        }
        Reply::Act(answer) => mail::answer(model, answer),
        Reply::Ignored => {
            let hint = layer.hint(&model.settings.keys);
            model.status = Status::Info(format!("{} does nothing here — {hint}", chord.label()));
            Vec::new()
        }
        Reply::Quit => vec![Effect::Quit],
    }
}

fn on_main_key(model: &mut Model, chord: Chord) -> Vec<Effect> {
    let context = model.main.focus.context();
    let Some(action) = model.settings.keys.lookup(context, chord) else {
        let help = model
            .settings
            .keys
            .first_key(context, Action::Help)
            .unwrap_or_else(|| "help".into());
        model.status = Status::Info(format!(
            "{} does nothing here — {help} lists the keys",
            chord.label()
        ));
        return Vec::new();
    };
    model.status = Status::None;
    screen::act(model, action).unwrap_or_else(|| mail::act(model, action))
}

/// Lines a layer shows at this size (for its page keys).
fn layer_page(model: &Model) -> usize {
    usize::from(model.size.1.saturating_sub(6)).max(1)
}
