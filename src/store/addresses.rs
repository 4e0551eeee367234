//! The addresses the user knows, for completing To, Cc and Bcc as they are typed.
//!
//! One row per address and account, counted from the messages stored, but not as
//! they are stored: inserting (a sync, a download, a rescan) does nothing for
//! addresses, so that it keeps its speed. A catch-up ([`Store::catch_up_addresses`])
//! counts the messages stored since the last one: those with an id above the
//! watermark (`address_watermark`, the highest message id counted), read in bounded
//! batches, each added to the counts in one transaction that also moves the
//! watermark, so a crash loses no message and counts none twice. The engine runs it
//! after each sync and before answering a completion; until then a completion may
//! not know the newest mail. What a message counts for depends on its folder when
//! it is counted:
//! - in the Sent folder, its To and Cc are people *you wrote to* (`sent`);
//! - elsewhere, its From *wrote to you* (`received`) and its To and Cc were copied
//!   with you (`seen`);
//! - Drafts and Junk count for nothing (not sent yet; not people you know).
//!
//! The counts are a history: deleting mail does not take anything off them or
//! forget an address (that is [`Store::forget_address`]); a message deleted before
//! a catch-up reached it is simply never counted. [`Store::rebuild_addresses`]
//! counts again from the messages stored. Bcc is not stored with a message, so it
//! counts for nothing.
//!
//! A typed prefix is looked up in `address_keys`: the lowercase address, name, and
//! each word of the name, one indexed row each. A lookup is a range scan of that
//! index, then the matches are ranked by SQLite's top-N sorter (see
//! [`Store::complete_addresses`]).

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{AccountId, FolderRole, Store, StoreError, now};
use crate::mime::Address;
use crate::mime::compose::check_email;

/// An address from the store, with what its rank was made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// The name is the best one known: the one its owner gives in their From, or
    /// the one you gave it writing to them; else one from a Cc of someone else's.
    pub address: Address,
    /// Messages in a Sent folder with this address in To or Cc.
    pub sent: u32,
    /// Unix seconds of the newest of them.
    pub last_sent: Option<i64>,
    /// Messages from this address (outside Sent, Drafts and Junk).
    pub received: u32,
    pub last_received: Option<i64>,
    /// Messages outside Sent, Drafts and Junk with this address in To or Cc.
    pub seen: u32,
    pub last_seen: Option<i64>,
}

/// How fast a count fades with the age of its newest message: a count whose newest
/// message is this old weighs half.
const HALF_WEIGHT_AGE: i64 = 90 * 24 * 3600;

/// Rank: first the addresses you wrote to, then those that wrote to you, then the
/// rest; within each, `count / (1 + age / HALF_WEIGHT_AGE)` of that kind (how often,
/// faded by how long ago), then the other kinds' counts; then the address.
/// Parameters: `?3` now. Columns are aggregates: one address may be in several
/// accounts.
fn ranked_select(condition: &str) -> String {
    let frecency = |count: &str, last: &str| {
        format!("sum({count}) / (1.0 + max(0, ?3 - max({last})) / {HALF_WEIGHT_AGE}.0)",)
    };
    let sent = frecency("sent_count", "last_sent");
    let received = frecency("received_count", "last_received");
    let seen = frecency("seen_count", "last_seen");
    format!(
        "SELECT g.email,
            (SELECT b.name FROM addresses b
             WHERE b.email = g.email AND b.name IS NOT NULL AND (?4 IS NULL OR b.account_id = ?4)
             ORDER BY b.name_rank DESC, b.name_date DESC LIMIT 1),
            g.sent, g.last_sent, g.received, g.last_received, g.seen, g.last_seen
         FROM (
            SELECT min(email) AS email,
                sum(sent_count) AS sent, max(last_sent) AS last_sent,
                sum(received_count) AS received, max(last_received) AS last_received,
                sum(seen_count) AS seen, max(last_seen) AS last_seen,
                CASE WHEN sum(sent_count) > 0 THEN 0
                     WHEN sum(received_count) > 0 THEN 1 ELSE 2 END AS tier,
                CASE WHEN sum(sent_count) > 0 THEN {sent}
                     WHEN sum(received_count) > 0 THEN {received}
                     ELSE {seen} END AS score
            FROM addresses
            WHERE (?4 IS NULL OR account_id = ?4) {condition}
            GROUP BY email
            ORDER BY tier, score DESC, sum(received_count) + sum(seen_count) DESC, email
            LIMIT ?5
         ) g
         ORDER BY g.tier, g.score DESC, g.received + g.seen DESC, g.email"
    )
}

impl Store {
    /// The known addresses that `typed` begins (case-insensitive): the address, the
    /// name, or any word of the name. Ranked (see the module): people you wrote to
    /// first, then people who wrote to you, then the others; at most `limit`.
    /// `account`: that account's mail only, or every account's (an address in
    /// several is one entry, its counts added up).
    ///
    /// Blank `typed` gives the best-ranked addresses of all (this reads every
    /// address, not an index range: a few milliseconds for tens of thousands).
    /// The account's own addresses are among the results when they are in its mail:
    /// leaving them out is the caller's (it knows the aliases and identities).
    pub fn complete_addresses(
        &self,
        account: Option<AccountId>,
        typed: &str,
        limit: usize,
    ) -> Result<Vec<Known>, StoreError> {
        self.complete_addresses_at(account, typed, limit, now())
    }

    /// [`Store::complete_addresses`] as if it were `now` (Unix seconds).
    pub fn complete_addresses_at(
        &self,
        account: Option<AccountId>,
        typed: &str,
        limit: usize,
        now: i64,
    ) -> Result<Vec<Known>, StoreError> {
        let prefix = search_key(typed);
        let condition = if prefix.is_empty() {
            ""
        } else {
            "AND id IN (SELECT address_id FROM address_keys WHERE key >= ?1 AND key < ?2)"
        };
        let mut stmt = self.conn.prepare_cached(&ranked_select(condition))?;
        // Every key that begins with the prefix sorts before the prefix followed by
        // the greatest character.
        let end = format!("{prefix}\u{10FFFF}");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(
            params![prefix, end, now, account.map(|a| a.0), limit],
            |row| {
                Ok(Known {
                    address: Address {
                        email: row.get(0)?,
                        name: row.get(1)?,
                    },
                    sent: count(row.get(2)?),
                    last_sent: row.get(3)?,
                    received: count(row.get(4)?),
                    last_received: row.get(5)?,
                    seen: count(row.get(6)?),
                    last_seen: row.get(7)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Forgets `email` (case-insensitive) in `account`, or in every account: it is no
    /// longer offered, until a message stored later names it again. Returns how many
    /// rows went (one per account).
    pub fn forget_address(
        &self,
        account: Option<AccountId>,
        email: &str,
    ) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM addresses WHERE email = ?1 AND (?2 IS NULL OR account_id = ?2)",
            params![email.trim(), account.map(|a| a.0)],
        )?)
    }

    /// Counts every address again from the messages stored (a repair tool).
    /// Forgotten addresses come back. Returns how many addresses are known.
    pub fn rebuild_addresses(&mut self) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "DELETE FROM address_keys; DELETE FROM addresses;
             UPDATE address_watermark SET counted = 0;",
        )?;
        tx.commit()?;
        self.catch_up_addresses(usize::MAX)?;
        let known: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM addresses", [], |row| row.get(0))?;
        Ok(usize::try_from(known).unwrap_or(0))
    }

    /// Counts the addresses of the messages stored since the last catch-up: at most
    /// `limit` messages, in the order they were stored, [`CATCH_UP_BATCH`] at most
    /// per transaction. Each transaction adds its messages to the counts and moves
    /// the watermark past them, so an interrupted catch-up neither loses nor counts
    /// twice: the next one goes on from the last batch committed. Takes no write lock
    /// when there is nothing to count.
    pub fn catch_up_addresses(&mut self, limit: usize) -> Result<CaughtUp, StoreError> {
        let mut caught = CaughtUp::default();
        while caught.messages < limit {
            let batch = (limit - caught.messages).min(CATCH_UP_BATCH);
            let read = self.catch_up_batch(batch)?;
            caught.messages += read;
            if read < batch {
                caught.done = true;
                return Ok(caught);
            }
        }
        caught.done = self.addresses_behind(1)? == 0;
        Ok(caught)
    }

    /// How many stored messages no catch-up has counted yet, up to `at_most` (the
    /// count stops there: a cheap question however far behind it is).
    pub fn addresses_behind(&self, at_most: usize) -> Result<usize, StoreError> {
        let behind: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM (SELECT 1 FROM messages
                 WHERE id > (SELECT counted FROM address_watermark) LIMIT ?1)",
            )?
            .query_row([i64::try_from(at_most).unwrap_or(i64::MAX)], |row| {
                row.get(0)
            })?;
        Ok(usize::try_from(behind).unwrap_or(0))
    }

    /// One batch of [`Store::catch_up_addresses`]: returns how many messages it read.
    fn catch_up_batch(&mut self, limit: usize) -> Result<usize, StoreError> {
        if limit == 0 || self.addresses_behind(1)? == 0 {
            return Ok(0);
        }
        // The write lock first: the watermark read is then the one this
        // transaction moves (another connection's catch-up cannot slip in between).
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let read = count_batch(&tx, limit)?;
        tx.commit()?;
        Ok(read)
    }
}

/// Messages a catch-up reads per transaction: enough that an address met often is
/// written once for many messages, few enough that the write lock is held for less
/// than a tenth of a second (`benches/addresses.rs`: 60-70k messages/s on 2 shared
/// cores).
pub const CATCH_UP_BATCH: usize = 5_000;

/// What a [`Store::catch_up_addresses`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaughtUp {
    /// Messages read: counted, or passed over (in Drafts or Junk).
    pub messages: usize,
    /// Every message stored is counted now.
    pub done: bool,
}

/// Counts the next `limit` messages above the watermark and moves it past them, in
/// the caller's transaction. Returns how many messages were read.
fn count_batch(tx: &Transaction<'_>, limit: usize) -> Result<usize, StoreError> {
    let watermark: i64 = tx
        .prepare_cached("SELECT counted FROM address_watermark")?
        .query_row([], |row| row.get(0))?;
    // Each folder's account and what its role makes its messages count for; None:
    // nothing (Drafts, Junk).
    let mut folders: HashMap<i64, Option<(i64, bool)>> = HashMap::new();
    {
        let mut stmt = tx.prepare_cached("SELECT id, account_id, role FROM folders")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let role: Option<String> = row.get(2)?;
            let role = role.as_deref().and_then(FolderRole::from_db);
            let counts = match role {
                Some(FolderRole::Drafts | FolderRole::Junk) => None,
                role => Some((row.get(1)?, role == Some(FolderRole::Sent))),
            };
            folders.insert(row.get(0)?, counts);
        }
    }
    let mut batches: HashMap<(i64, bool), Batch> = HashMap::new();
    let mut read = 0;
    let mut last = watermark;
    {
        let mut stmt = tx.prepare_cached(
            "SELECT id, folder_id, from_display, from_addr, to_addrs, cc_addrs, date
             FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![watermark, i64::try_from(limit).unwrap_or(i64::MAX)])?;
        while let Some(row) = rows.next()? {
            read += 1;
            last = row.get(0)?;
            let Some(Some(class)) = folders.get(&row.get::<_, i64>(1)?) else {
                continue;
            };
            batches.entry(*class).or_default().add(
                text(row, 2)?,
                text(row, 3)?,
                text(row, 4)?,
                text(row, 5)?,
                row.get(6)?,
            );
        }
    }
    for ((account, sent_folder), batch) in batches {
        batch.flush(tx, account, sent_folder)?;
    }
    tx.prepare_cached("UPDATE address_watermark SET counted = ?1")?
        .execute([last])?;
    Ok(read)
}

fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// A text column, borrowed from the row (a catch-up reads four per message).
fn text<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(column)?.as_str().map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            Box::new(err),
        )
    })
}

/// The addresses of a batch of messages of one account's folders of one kind
/// (Sent, or the others), added up; written by [`Batch::flush`] in the catch-up's
/// transaction.
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// By address, ASCII-lowercased (as the table's NOCASE column compares them).
    entries: HashMap<String, Entry>,
}

#[derive(Debug)]
struct Entry {
    /// As first met in the batch.
    email: String,
    /// As the From of a message.
    from: Tally,
    /// In a To or Cc.
    to: Tally,
    /// The newest name met with it in a From, and that message's date.
    from_name: Option<(String, i64)>,
    to_name: Option<(String, i64)>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    count: i64,
    last: Option<i64>,
}

impl Tally {
    fn add(&mut self, date: i64) {
        self.count += 1;
        self.last = Some(self.last.map_or(date, |last| last.max(date)));
    }
}

/// Where in a message an address was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    From,
    Recipient,
}

/// How much a name is to be believed: what its owner calls themself in their From,
/// or what you called them writing to them, over what someone else called them.
const NAME_OWN: i64 = 2;
const NAME_OTHERS: i64 = 1;

/// What one batch adds to one address's row.
struct Counted {
    sent: Tally,
    received: Tally,
    seen: Tally,
    /// Name, its rank, the date of its message.
    name: Option<(String, i64, i64)>,
}

impl Batch {
    /// Counts the addresses of one message, as the store holds them.
    pub(super) fn add(
        &mut self,
        from_display: &str,
        from_addr: &str,
        to: &str,
        cc: &str,
        date: i64,
    ) {
        if !from_addr.is_empty() {
            self.note(
                from_addr,
                name_in_display(from_display, from_addr),
                date,
                Place::From,
            );
        }
        for list in [to, cc] {
            for_each_in_list(list, |name, email| {
                self.note(email, name, date, Place::Recipient)
            });
        }
    }

    fn note(&mut self, email: &str, name: Option<&str>, date: i64, place: Place) {
        let email = email.trim();
        if check_email(email).is_err() {
            return;
        }
        let entry = self
            .entries
            .entry(email.to_ascii_lowercase())
            .or_insert_with(|| Entry {
                email: email.to_owned(),
                from: Tally::default(),
                to: Tally::default(),
                from_name: None,
                to_name: None,
            });
        let (tally, slot) = match place {
            Place::From => (&mut entry.from, &mut entry.from_name),
            Place::Recipient => (&mut entry.to, &mut entry.to_name),
        };
        tally.add(date);
        let Some(name) = name
            .map(str::trim)
            .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case(email))
        else {
            return;
        };
        match slot {
            Some((_, kept_date)) if *kept_date > date => {}
            Some((kept, kept_date)) if kept == name => *kept_date = date,
            slot => *slot = Some((name.to_owned(), date)),
        }
    }

    /// Writes what was counted to `account`'s addresses: from its Sent folder, or
    /// from its other folders (Drafts and Junk are not counted at all).
    pub(super) fn flush(
        self,
        tx: &Transaction<'_>,
        account: i64,
        sent_folder: bool,
    ) -> Result<(), StoreError> {
        if self.entries.is_empty() {
            return Ok(());
        }
        let mut writer = Writer::new(tx, account)?;
        for entry in self.entries.into_values() {
            let counted = if sent_folder {
                // Your own From does not count; your To and Cc are people you wrote to.
                Counted {
                    sent: entry.to,
                    received: Tally::default(),
                    seen: Tally::default(),
                    name: entry.to_name.map(|(name, date)| (name, NAME_OWN, date)),
                }
            } else {
                let name = match (entry.from_name, entry.to_name) {
                    (Some((name, date)), _) => Some((name, NAME_OWN, date)),
                    (None, Some((name, date))) => Some((name, NAME_OTHERS, date)),
                    (None, None) => None,
                };
                Counted {
                    sent: Tally::default(),
                    received: entry.from,
                    seen: entry.to,
                    name,
                }
            };
            if counted.sent.count + counted.received.count + counted.seen.count > 0 {
                writer.write(&entry.email, counted)?;
            }
        }
        Ok(())
    }
}

/// Writes counted addresses to one account's rows.
struct Writer<'a, 'tx> {
    tx: &'a Transaction<'tx>,
    account: i64,
    find: rusqlite::CachedStatement<'a>,
    update: rusqlite::CachedStatement<'a>,
    insert: rusqlite::CachedStatement<'a>,
    add_key: rusqlite::CachedStatement<'a>,
}

impl<'a, 'tx> Writer<'a, 'tx> {
    fn new(tx: &'a Transaction<'tx>, account: i64) -> Result<Self, StoreError> {
        Ok(Writer {
            tx,
            account,
            find: tx.prepare_cached(
                "SELECT id, name, name_rank, name_date FROM addresses
                 WHERE email = ?1 AND account_id = ?2",
            )?,
            // max(coalesce(a, b), coalesce(b, a)): the greater of two dates either of
            // which may be NULL (SQLite's max() of a NULL is NULL).
            update: tx.prepare_cached(
                "UPDATE addresses SET
                    sent_count = sent_count + ?2,
                    last_sent = max(coalesce(last_sent, ?3), coalesce(?3, last_sent)),
                    received_count = received_count + ?4,
                    last_received = max(coalesce(last_received, ?5), coalesce(?5, last_received)),
                    seen_count = seen_count + ?6,
                    last_seen = max(coalesce(last_seen, ?7), coalesce(?7, last_seen)),
                    name = coalesce(?8, name),
                    name_rank = CASE WHEN ?8 IS NULL THEN name_rank ELSE ?9 END,
                    name_date = CASE WHEN ?8 IS NULL THEN name_date ELSE ?10 END
                 WHERE id = ?1",
            )?,
            insert: tx.prepare_cached(
                "INSERT INTO addresses (account_id, email, sent_count, last_sent,
                    received_count, last_received, seen_count, last_seen, name, name_rank,
                    name_date)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?,
            add_key: tx.prepare_cached(
                "INSERT OR IGNORE INTO address_keys (key, address_id) VALUES (?1, ?2)",
            )?,
        })
    }

    fn write(&mut self, email: &str, counted: Counted) -> Result<(), StoreError> {
        let Counted {
            sent,
            received,
            seen,
            name,
        } = counted;
        let (name, rank, date) = match name {
            Some((name, rank, date)) => (Some(name), rank, date),
            None => (None, 0, 0),
        };
        let found: Option<(i64, Option<String>, i64, i64)> = self
            .find
            .query_row(params![email, self.account], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .optional()?;
        let Some((id, kept, kept_rank, kept_date)) = found else {
            self.insert.execute(params![
                self.account,
                email,
                sent.count,
                sent.last,
                received.count,
                received.last,
                seen.count,
                seen.last,
                name,
                rank,
                date,
            ])?;
            let id = self.tx.last_insert_rowid();
            return self.add_keys(id, email, name.as_deref());
        };
        // A name replaces the kept one when it is better believed, or as well and
        // newer.
        let replaces = name.is_some()
            && (kept.is_none() || rank > kept_rank || (rank == kept_rank && date >= kept_date));
        let name = name.filter(|_| replaces);
        self.update.execute(params![
            id,
            sent.count,
            sent.last,
            received.count,
            received.last,
            seen.count,
            seen.last,
            name,
            rank,
            date,
        ])?;
        if name.is_some() && name != kept {
            self.tx
                .prepare_cached("DELETE FROM address_keys WHERE address_id = ?1")?
                .execute([id])?;
            self.add_keys(id, email, name.as_deref())?;
        }
        Ok(())
    }

    fn add_keys(&mut self, id: i64, email: &str, name: Option<&str>) -> Result<(), StoreError> {
        for key in keys(email, name) {
            self.add_key.execute(params![key, id])?;
        }
        Ok(())
    }
}

/// What a typed prefix is compared with: lowercase, blanks collapsed to one space,
/// and a `<` or quote being typed left out.
fn search_key(typed: &str) -> String {
    let typed = typed.trim_start_matches(|c: char| c.is_whitespace() || c == '<' || c == '"');
    let mut key = String::with_capacity(typed.len());
    for word in typed.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    // A trailing blank is part of what is typed ("ada " is the start of a full name).
    if typed.ends_with(char::is_whitespace) && !key.is_empty() {
        key.push(' ');
    }
    key
}

/// The keys an address is found by: the address, the whole name, each word of it.
fn keys(email: &str, name: Option<&str>) -> Vec<String> {
    let mut keys = vec![email.to_lowercase()];
    if let Some(name) = name {
        let full = search_key(name);
        let full = full.trim_end();
        keys.extend(
            full.split(|c: char| !(c.is_alphanumeric() || c == '\''))
                .filter(|word| !word.is_empty())
                .map(str::to_owned),
        );
        if !full.is_empty() {
            keys.push(full.to_owned());
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The name in a From display (`Name <addr>`), when there is one.
fn name_in_display<'a>(display: &'a str, email: &str) -> Option<&'a str> {
    let name = display
        .trim()
        .strip_suffix('>')?
        .strip_suffix(email)?
        .strip_suffix('<')?;
    Some(unquote(name.trim()))
}

fn unquote(name: &str) -> &str {
    name.strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(name)
        .trim()
}

/// Calls `each(name, email)` for the items of an address list as the store keeps it
/// (`Name <addr>, addr, ...`, joined with `, ` and names not quoted: a name with a
/// comma comes apart, and a piece with neither `@` nor `<` is put back in front of
/// the next).
fn for_each_in_list(list: &str, mut each: impl FnMut(Option<&str>, &str)) {
    let mut start = 0;
    let mut item_start = 0;
    let mut in_angle = false;
    let bytes = list.as_bytes();
    let mut finish = |from: usize, to: usize, item_start: &mut usize| {
        let piece = &list[from..to];
        if !piece.contains(['@', '<']) {
            // Part of a name: keep it for the next piece.
            return;
        }
        let item = list[*item_start..to].trim();
        *item_start = to + 1;
        match item.strip_suffix('>').and_then(|i| i.rsplit_once('<')) {
            Some((name, email)) => {
                let name = unquote(name.trim());
                each((!name.is_empty()).then_some(name), email.trim());
            }
            None => each(None, item),
        }
    };
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            b'<' => in_angle = true,
            b'>' => in_angle = false,
            b',' if !in_angle => {
                finish(start, index, &mut item_start);
                start = index + 1;
            }
            _ => {}
        }
    }
    finish(start, list.len(), &mut item_start);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(list: &str) -> Vec<(Option<String>, String)> {
        let mut found = Vec::new();
        for_each_in_list(list, |name, email| {
            found.push((name.map(str::to_owned), email.to_owned()))
        });
        found
    }

    #[test]
    fn stored_lists_come_apart_even_with_commas_in_names() {
        assert_eq!(
            items("Lovelace, Ada <ada@x.org>, bob@y.org,  \"Q, R\" <q@z.org>"),
            [
                (Some("Lovelace, Ada".into()), "ada@x.org".into()),
                (None, "bob@y.org".into()),
                (Some("Q, R".into()), "q@z.org".into()),
            ]
        );
        assert!(items("").is_empty());
        assert!(items("undisclosed-recipients").is_empty());
        assert_eq!(
            items("Ünïcødé Ñame <u@x.org>")[0].0.as_deref(),
            Some("Ünïcødé Ñame")
        );
    }

    #[test]
    fn from_names_are_read_back_from_the_display() {
        assert_eq!(
            name_in_display("Ada L <ada@x.org>", "ada@x.org"),
            Some("Ada L")
        );
        assert_eq!(name_in_display("ada@x.org", "ada@x.org"), None);
        assert_eq!(
            name_in_display("\"L, A\" <a@x.org>", "a@x.org"),
            Some("L, A")
        );
    }

    #[test]
    fn keys_are_the_address_the_name_and_its_words() {
        assert_eq!(
            keys("Ada@X.org", Some("Ada  Lovelace-Byron")),
            [
                "ada",
                "ada lovelace-byron",
                "ada@x.org",
                "byron",
                "lovelace"
            ]
        );
        assert_eq!(keys("é@x.org", Some("Émile")), ["é@x.org", "émile"]);
        assert_eq!(search_key("  <Ada  LO"), "ada lo");
        assert_eq!(search_key("Ada "), "ada ");
        assert_eq!(search_key("   "), "");
    }

    #[test]
    fn a_batch_adds_up_and_keeps_the_newest_name() {
        let mut batch = Batch::default();
        batch.add("Ada <ada@x.org>", "ada@x.org", "me@y.org", "", 10);
        batch.add(
            "Ada Lovelace <ADA@x.org>",
            "ADA@x.org",
            "me@y.org, Bob <bob@z.org>",
            "",
            20,
        );
        batch.add("Ada L. <ada@x.org>", "ada@x.org", "not an address", "", 5);
        let ada = &batch.entries["ada@x.org"];
        assert_eq!((ada.from.count, ada.from.last), (3, Some(20)));
        assert_eq!(ada.from_name, Some(("Ada Lovelace".into(), 20)));
        assert_eq!(batch.entries["me@y.org"].to.count, 2);
        assert_eq!(batch.entries.len(), 3);
    }

    #[test]
    fn a_prefix_is_a_range_of_the_key_index_and_rows_are_found_by_id() {
        let mut store = Store::open_in_memory().unwrap();
        let account = store.upsert_account("a", "me@x.org").unwrap();
        let inbox = store
            .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
            .unwrap();
        let rows: Vec<_> = (0..500)
            .map(|i| crate::store::NewEnvelope {
                uid: Some(i + 1),
                from_display: format!("Person {i} <p{i}@x.org>"),
                from_addr: format!("p{i}@x.org"),
                ..Default::default()
            })
            .collect();
        store.insert_envelopes(inbox, &rows).unwrap();
        store.catch_up_addresses(usize::MAX).unwrap();
        for analyzed in [false, true] {
            if analyzed {
                store.conn.execute_batch("ANALYZE").unwrap();
            }
            let sql = ranked_select(
                "AND id IN (SELECT address_id FROM address_keys WHERE key >= ?1 AND key < ?2)",
            );
            let mut stmt = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let plan: Vec<String> = stmt
                .query_map(params!["p1", "p1\u{10FFFF}", 0, account.0, 10], |row| {
                    row.get(3)
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let plan = plan.join(" | ");
            assert!(
                plan.contains("SEARCH address_keys USING PRIMARY KEY (key>? AND key<?)"),
                "{plan}"
            );
            assert!(
                plan.contains("SEARCH addresses USING INTEGER PRIMARY KEY (rowid=?)"),
                "{plan}"
            );
            assert!(!plan.contains("SCAN addresses"), "{plan}");
        }
    }
}
