//! `view`: draws the model. Reads nothing but the model; no IO.

pub mod folders;
pub mod help;
pub mod list;
pub mod message;
pub mod status;
pub mod tabs;
pub mod text;

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::layout::Panes;
use super::model::{Focus, Model};
use super::theme;

pub fn view(model: &Model, frame: &mut Frame) {
    // Draw for the size the frame has, whatever the model last heard.
    let area = frame.area();
    let panes = Panes::compute(
        (area.width, area.height),
        model.open_message().is_some(),
        model.focus,
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
    if model.help {
        help::draw(frame, area);
    }
}

/// A pane's frame: bold border and title when it has focus.
fn pane_block(title: String, focused: bool) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border(focused))
        .title(Line::from(Span::styled(
            format!(" {title} "),
            theme::title(focused),
        )))
}

fn focused(model: &Model, pane: Focus) -> bool {
    model.focus == pane && !model.help
}
