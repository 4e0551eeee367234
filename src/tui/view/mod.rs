//! `view`: draws the model. Reads nothing but the model; no IO.
//!
//! The main screen first, then each layer over it, bottom up.

pub mod completion;
pub mod folders;
pub mod help;
pub mod layers;
pub mod list;
pub mod message;
pub mod outbox;
pub mod review;
pub mod status;
pub mod tabs;
pub mod text;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::layer::Layer;
use super::layout::Panes;
use super::model::{Focus, Model};
use super::theme::Theme;

pub fn view(model: &Model, frame: &mut Frame) {
    // Draw for the size the frame has, whatever the model last heard.
    let area = frame.area();
    let panes = Panes::compute(
        (area.width, area.height),
        model.open_message().is_some(),
        model.main.focus,
    );
    tabs::draw(model, frame, panes.tabs);
    if let Some(area) = panes.folders {
        folders::draw(model, frame, area);
    }
    if let Some(area) = panes.list {
        list::draw(model, frame, area);
    }
    if let Some(area) = panes.message {
        message::draw(model, frame, area);
    }
    status::draw(model, frame, panes.status);
    for layer in &model.layers {
        match layer {
            Layer::Help(help) => help::draw(model, help, frame, area),
            Layer::Picker(picker) => layers::picker(model.theme(), picker, frame, area),
            Layer::Prompt(prompt) => layers::prompt(model.theme(), prompt, frame, area),
            Layer::Confirm(confirm) => {
                let hint = layer.hint(model.keys());
                layers::confirm(model.theme(), confirm, &hint, frame, area);
            }
            Layer::Output(output) => layers::output(model.theme(), output, frame, area),
            Layer::Review(review) => review::draw(model.theme(), model.keys(), review, frame, area),
            Layer::Outbox(list) => {
                let hint = layer.hint(model.keys());
                outbox::draw(model.theme(), list, &hint, frame, area);
            }
            Layer::Writer(writing) => {
                // The status line stays visible under it.
                let above = Rect {
                    height: area.height.saturating_sub(1),
                    ..area
                };
                frame.render_widget(ratatui::widgets::Clear, above);
                writing.writer.render(frame, above, model.theme());
                completion::draw(model.theme(), &writing.completion, frame, above);
            }
        }
    }
}

/// A pane's frame: bold border and title when it has focus.
fn pane_block(theme: &Theme, title: String, focused: bool) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Line::from(Span::styled(
            format!(" {title} "),
            theme.title(focused),
        )))
}

/// Whether `pane` has the keys: it has the focus and no layer is over it.
fn focused(model: &Model, pane: Focus) -> bool {
    model.main.focus == pane && model.layers.is_empty()
}
