//! Keys as data. Each screen has one table of [`Binding`]s (the keys, the
//! state of the screen they apply in, the action they trigger and the help
//! text) and acts on them through [`Keymap`]: a key is looked up in the table,
//! and the screen performs the action found with a `match` on it. The `?`
//! overlay is made from the same table, so the help cannot drift from what
//! the keys do. In the manner of gitui's `keys/key_list.rs` and atuin's
//! `keybindings/`.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::screens::Effect;

/// A key of a table: a key code, with Ctrl or without.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    /// A key without Ctrl. It also matches with other modifiers held, as the screens always have (Shift-G is
    /// `G`).
    pub const fn plain(code: KeyCode) -> Self {
        Self { code, ctrl: false }
    }

    /// A character key without Ctrl.
    pub const fn char(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    /// A character key with Ctrl held.
    pub const fn ctrl(c: char) -> Self {
        Self { code: KeyCode::Char(c), ctrl: true }
    }

    /// Whether a key press is this key.
    pub fn matches(self, event: KeyEvent) -> bool {
        event.code == self.code && (!self.ctrl || event.modifiers.contains(KeyModifiers::CONTROL))
    }

    /// The key as the help names it.
    pub fn name(self) -> String {
        match self.code {
            KeyCode::Char(c) if self.ctrl => format!("Ctrl-{}", c.to_ascii_uppercase()),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Char(' ') => "Space".into(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other}"),
        }
    }

    /// Where the key comes in a line of the help: arrows, Home End, Tab, characters (a before A), Ctrl keys,
    /// PgUp PgDn, then the rest.
    fn rank(self) -> (u8, char, bool) {
        let group = match self.code {
            KeyCode::Up => 0,
            KeyCode::Down => 1,
            KeyCode::Left => 2,
            KeyCode::Right => 3,
            KeyCode::Home => 4,
            KeyCode::End => 5,
            KeyCode::Tab => 6,
            KeyCode::BackTab => 7,
            KeyCode::Char(c) => {
                return (if self.ctrl { 9 } else { 8 }, c.to_ascii_lowercase(), c.is_ascii_uppercase());
            }
            KeyCode::PageUp => 10,
            KeyCode::PageDown => 11,
            _ => 12,
        };
        (group, ' ', false)
    }
}

/// Keys of a table, by their usual names.
pub mod k {
    use super::Key;
    use ratatui::crossterm::event::KeyCode;

    pub const UP: Key = Key::plain(KeyCode::Up);
    pub const DOWN: Key = Key::plain(KeyCode::Down);
    pub const LEFT: Key = Key::plain(KeyCode::Left);
    pub const RIGHT: Key = Key::plain(KeyCode::Right);
    pub const PAGE_UP: Key = Key::plain(KeyCode::PageUp);
    pub const PAGE_DOWN: Key = Key::plain(KeyCode::PageDown);
    pub const HOME: Key = Key::plain(KeyCode::Home);
    pub const END: Key = Key::plain(KeyCode::End);
    pub const ENTER: Key = Key::plain(KeyCode::Enter);
    pub const ESC: Key = Key::plain(KeyCode::Esc);
    pub const TAB: Key = Key::plain(KeyCode::Tab);
    pub const BACK_TAB: Key = Key::plain(KeyCode::BackTab);
}

/// One row of a key table: `keys` trigger `action` while the screen is in a state where `when` holds.
/// Rows with the same `help` make one line of the `?` overlay, which names all their keys.
#[derive(Debug, Clone, Copy)]
pub struct Binding<W: 'static, A: 'static> {
    pub keys: &'static [Key],
    pub when: W,
    pub action: A,
    pub help: &'static str,
}

/// A row of a key table, written as the tables are read: keys, state, action, help.
pub const fn bind<W, A>(keys: &'static [Key], when: W, action: A, help: &'static str) -> Binding<W, A> {
    Binding { keys, when, action, help }
}

/// The `when` of a binding on a screen whose keys do not depend on its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Always;

/// The `when` of a binding on a screen of two sides, whose keys depend on the side in focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus<P> {
    Always,
    In(P),
}

impl<P: PartialEq> Focus<P> {
    /// Whether a binding limited to this applies while `focused` has the focus.
    pub fn holds(self, focused: P) -> bool {
        match self {
            Focus::Always => true,
            Focus::In(side) => side == focused,
        }
    }
}

/// A screen's key table and how it acts on it.
pub trait Keymap {
    /// The states of the screen a binding can be limited to.
    type When: Copy + 'static;
    /// What the screen's keys do.
    type Action: Copy + 'static;
    /// Every key of the screen, in the order the help lists them.
    const KEYS: &'static [Binding<Self::When, Self::Action>];
    /// Whether the screen is in a state where a binding limited to `when` applies.
    fn holds(&self, when: Self::When) -> bool;
    /// Does what `action` says. `None` when it cannot apply now (no later page, no filter to clear): the key is
    /// left to the app's global keys, as an unbound key is.
    fn perform(&mut self, action: Self::Action) -> Option<Effect>;
}

/// The first binding of `table` that applies (its `when` holds) and has `key`.
pub fn find<W: Copy, A: Copy>(
    table: &'static [Binding<W, A>],
    key: KeyEvent,
    holds: impl Fn(W) -> bool,
) -> Option<&'static Binding<W, A>> {
    table.iter().find(|b| holds(b.when) && b.keys.iter().any(|k| k.matches(key)))
}

/// One line of the help overlay: the keys, as named, and what they do.
pub type HelpLine = (String, &'static str);

/// The help overlay's lines for `table`: one per help text, in the order they first come, naming every key
/// of every binding with that text.
pub fn help<W, A>(table: &[Binding<W, A>]) -> Vec<HelpLine> {
    let mut lines: Vec<(Vec<Key>, &'static str)> = Vec::new();
    for binding in table {
        match lines.iter_mut().find(|(_, help)| *help == binding.help) {
            Some((keys, _)) => {
                for key in binding.keys {
                    if !keys.contains(key) {
                        keys.push(*key);
                    }
                }
            }
            None => lines.push((binding.keys.to_vec(), binding.help)),
        }
    }
    lines.into_iter().map(|(keys, help)| (label(keys), help)).collect()
}

/// Names keys for the help: in a fixed order, ↑ and ↓ written together and three or more digits in a row
/// as a range (`↑↓ j k PgUp PgDn`, `1-6`).
pub fn label(mut keys: Vec<Key>) -> String {
    keys.sort_by_key(|k| k.rank());
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < keys.len() {
        let run = digit_run(&keys[i..]);
        if run >= 3 {
            words.push(format!("{}-{}", keys[i].name(), keys[i + run - 1].name()));
            i += run;
        } else if keys[i].code == KeyCode::Up && keys.get(i + 1).is_some_and(|k| k.code == KeyCode::Down) {
            words.push("↑↓".into());
            i += 2;
        } else {
            words.push(keys[i].name());
            i += 1;
        }
    }
    words.join(" ")
}

/// How many plain digit keys, each one more than the one before, `keys` starts with.
fn digit_run(keys: &[Key]) -> usize {
    let digit = |k: &Key| match k.code {
        KeyCode::Char(c) if !k.ctrl => c.to_digit(10),
        _ => None,
    };
    let Some(first) = keys.first().and_then(digit) else { return 0 };
    keys.iter().zip(first..).take_while(|(k, n)| digit(k) == Some(*n)).count()
}

/// What the app needs of a screen's key table, whatever the types of its states and actions.
pub trait KeyTable {
    /// Looks `key` up in the table and performs its action; `None` if no binding applies or the action
    /// cannot apply now.
    fn press(&mut self, key: KeyEvent) -> Option<Effect>;
    /// The lines of the `?` overlay.
    fn help(&self) -> Vec<HelpLine>;
    /// The keys of each binding that applies in the screen's current state, by the binding's row.
    #[cfg(test)]
    fn bound(&self) -> Vec<(usize, &'static [Key])>;
}

impl<T: Keymap> KeyTable for T {
    fn press(&mut self, key: KeyEvent) -> Option<Effect> {
        let binding = find(T::KEYS, key, |when| self.holds(when))?;
        self.perform(binding.action)
    }

    fn help(&self) -> Vec<HelpLine> {
        help(T::KEYS)
    }

    #[cfg(test)]
    fn bound(&self) -> Vec<(usize, &'static [Key])> {
        T::KEYS.iter().enumerate().filter(|(_, b)| self.holds(b.when)).map(|(i, b)| (i, b.keys)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::k::*;
    use super::*;

    #[test]
    fn labels_name_keys_in_a_fixed_order() {
        let label = |keys: &[Key]| label(keys.to_vec());
        assert_eq!(
            label(&[UP, Key::char('k'), DOWN, Key::char('j'), PAGE_DOWN, PAGE_UP]),
            "↑↓ j k PgUp PgDn"
        );
        assert_eq!(label(&[Key::char('h'), LEFT, Key::char('l'), RIGHT]), "← → h l");
        assert_eq!(label(&[Key::char('G'), END, HOME, Key::char('g')]), "Home End g G");
        let digits: Vec<Key> = ('1'..='6').map(Key::char).collect();
        assert_eq!(label(&[&[TAB, BACK_TAB][..], &digits].concat()), "Tab Shift-Tab 1-6");
        assert_eq!(label(&[Key::ctrl('c'), Key::char('q')]), "q Ctrl-C");
        assert_eq!(label(&[Key::char('1'), Key::char('2')]), "1 2");
    }

    #[test]
    fn a_plain_key_matches_with_modifiers_and_a_ctrl_key_only_with_ctrl() {
        let event = |c, modifiers| KeyEvent::new(KeyCode::Char(c), modifiers);
        assert!(Key::char('G').matches(event('G', KeyModifiers::SHIFT)));
        assert!(Key::ctrl('c').matches(event('c', KeyModifiers::CONTROL)));
        assert!(!Key::ctrl('c').matches(event('c', KeyModifiers::NONE)));
        assert!(!Key::char('c').matches(event('x', KeyModifiers::NONE)));
    }
}
