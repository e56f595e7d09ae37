//! Previous / next on a photo page: the photos either side of one in the listing it was
//! opened from, in one statement whatever the listing. Each neighbour is one step of the
//! listing's own keyset (`(created_at, id)`), so it costs the same however deep the photo.

use app::ssr::ports::{Around, Key, Listing, Neighbours, PortResult};
use serde::Deserialize;
use worker::D1Database;

use super::search::{js, search_where, Arg, LIVE, PUBLIC};

const FROM: &str = "FROM photos LEFT JOIN users u ON u.id = photos.owner_id WHERE ";

/// The statement and arguments for the neighbours of the photo keyed `at` in `of`.
pub fn around_sql(of: &Around, at: &Key) -> (String, Vec<Arg>) {
    let mut args: Vec<Arg> = Vec::new();
    let arg = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        format!("?{}", args.len())
    };
    let cond = match of {
        Around::Feed => PUBLIC.to_string(),
        Around::Owner { owner_id, all } => {
            let owner = arg(&mut args, Arg::Text(owner_id.clone()));
            if *all {
                format!("photos.owner_id = {owner}")
            } else {
                format!("photos.owner_id = {owner} AND {PUBLIC}")
            }
        }
        Around::Of(l) => {
            let (sql, key) = match l {
                Listing::Tag(t) => (
                    "photos.id IN (SELECT photo_id FROM photo_tags WHERE tag = ",
                    t,
                ),
                Listing::Camera(k) => ("(photos.camera_key = ", k),
                Listing::Lens(k) => ("(photos.lens_key = ", k),
            };
            let key = arg(&mut args, Arg::Text(key.clone()));
            format!("{sql}{key}) AND {PUBLIC}")
        }
        Around::Search { q, viewer } => search_where(q, viewer.as_deref(), &mut args).join(" AND "),
    };
    // Nothing in the trash is a neighbour, whatever the listing (search adds it already).
    let cond = format!("{cond} AND {LIVE}");
    let t = arg(&mut args, Arg::Int(at.0));
    let id = arg(&mut args, Arg::Text(at.1.clone()));
    let sql = format!(
        "SELECT EXISTS (SELECT 1 {FROM}({cond}) AND photos.id = {id} AND photos.created_at = {t}) AS here, \
         (SELECT photos.id {FROM}({cond}) AND (photos.created_at, photos.id) > ({t}, {id}) \
          ORDER BY photos.created_at, photos.id LIMIT 1) AS prev, \
         (SELECT photos.id {FROM}({cond}) AND (photos.created_at, photos.id) < ({t}, {id}) \
          ORDER BY photos.created_at DESC, photos.id DESC LIMIT 1) AS next"
    );
    (sql, args)
}

#[derive(Deserialize)]
struct Row {
    here: f64,
    prev: Option<String>,
    next: Option<String>,
}

/// Runs [`around_sql`]'s statement.
pub(crate) async fn run(
    db: &D1Database,
    sql: &str,
    args: &[Arg],
) -> PortResult<Option<Neighbours>> {
    let rows: Vec<Row> = super::all(db, sql, &js(args)).await?;
    Ok(rows
        .into_iter()
        .next()
        .filter(|r| r.here != 0.0)
        .map(|r| Neighbours {
            prev: r.prev,
            next: r.next,
        }))
}

#[cfg(test)]
mod tests {
    //! Against real SQLite with every migration.
    use super::*;
    use crate::d1::photos::INSERT_PENDING;
    use crate::d1::test_db::{db, user, TestResult};
    use rusqlite::types::Value;
    use rusqlite::{params, params_from_iter, Connection};

    fn photo(c: &Connection, id: &str, owner: &str, vis: &str, at: i64, ready: bool) -> TestResult {
        c.execute(
            INSERT_PENDING,
            params![id, owner, id, "image/jpeg", 1, at, vis, "", "", 0, 0],
        )?;
        if ready {
            c.execute(
                "UPDATE photos SET status = 'ready' WHERE id = ?1",
                params![id],
            )?;
        }
        Ok(())
    }

    type Found = Option<(Option<String>, Option<String>)>;

    fn around(c: &Connection, of: &Around, at: i64, id: &str) -> TestResult<Found> {
        let (sql, args) = around_sql(of, &(at, id.to_string()));
        let values: Vec<Value> = args
            .iter()
            .map(|a| match a {
                Arg::Text(t) => Value::Text(t.clone()),
                Arg::Int(i) => Value::Integer(*i),
            })
            .collect();
        let row = c.query_row(&sql, params_from_iter(values), |r| {
            Ok((
                r.get::<_, i64>("here")?,
                r.get::<_, Option<String>>("prev")?,
                r.get::<_, Option<String>>("next")?,
            ))
        })?;
        Ok((row.0 != 0).then_some((row.1, row.2)))
    }

    fn both(prev: Option<&str>, next: Option<&str>) -> Found {
        Some((prev.map(String::from), next.map(String::from)))
    }

    /// ada: a1 (public), a2 (private), a3 (public), a4 (pending public); bob: b1 (public).
    fn world(c: &Connection) -> TestResult {
        user(c, "ada")?;
        user(c, "bob")?;
        photo(c, "a1", "ada", "public", 10, true)?;
        photo(c, "b1", "bob", "public", 15, true)?;
        photo(c, "a2", "ada", "private", 20, true)?;
        photo(c, "a3", "ada", "public", 30, true)?;
        photo(c, "a4", "ada", "public", 40, false)?;
        Ok(())
    }

    #[test]
    fn the_feed_steps_over_what_it_does_not_show() -> TestResult {
        let c = db()?;
        world(&c)?;
        // Newest first: a3, b1, a1 (a2 private, a4 unfinished).
        assert_eq!(around(&c, &Around::Feed, 30, "a3")?, both(None, Some("b1")));
        assert_eq!(
            around(&c, &Around::Feed, 15, "b1")?,
            both(Some("a3"), Some("a1"))
        );
        assert_eq!(around(&c, &Around::Feed, 10, "a1")?, both(Some("b1"), None));
        // Not in the feed: no neighbours, whatever its key.
        assert_eq!(around(&c, &Around::Feed, 20, "a2")?, None);
        // A key that names no row (a made-up id or a wrong time) is not in it either.
        assert_eq!(around(&c, &Around::Feed, 31, "a3")?, None);
        Ok(())
    }

    #[test]
    fn a_profile_is_the_owners_photos_all_of_them_for_the_owner() -> TestResult {
        let c = db()?;
        world(&c)?;
        let public = Around::Owner {
            owner_id: "ada".into(),
            all: false,
        };
        let all = Around::Owner {
            owner_id: "ada".into(),
            all: true,
        };
        assert_eq!(around(&c, &public, 30, "a3")?, both(None, Some("a1")));
        assert_eq!(around(&c, &public, 20, "a2")?, None);
        assert_eq!(around(&c, &all, 30, "a3")?, both(Some("a4"), Some("a2")));
        assert_eq!(around(&c, &all, 20, "a2")?, both(Some("a3"), Some("a1")));
        Ok(())
    }

    #[test]
    fn tags_and_searches_keep_their_own_rules() -> TestResult {
        let c = db()?;
        world(&c)?;
        for (p, t) in [("a1", "sea"), ("a3", "sea"), ("a2", "sea"), ("b1", "hill")] {
            c.execute(
                "INSERT INTO photo_tags (photo_id, tag) VALUES (?1, ?2)",
                params![p, t],
            )?;
        }
        let sea = Around::Of(Listing::Tag("sea".into()));
        assert_eq!(around(&c, &sea, 30, "a3")?, both(None, Some("a1")));
        assert_eq!(around(&c, &sea, 15, "b1")?, None);
        // A search finds the viewer's own private photos too, and only theirs.
        let q = app::ssr::search::parse("tag:sea").ok_or("query")?;
        let mine = Around::Search {
            q: q.clone(),
            viewer: Some("ada".into()),
        };
        assert_eq!(around(&c, &mine, 20, "a2")?, both(Some("a3"), Some("a1")));
        let stranger = Around::Search {
            q,
            viewer: Some("bob".into()),
        };
        assert_eq!(around(&c, &stranger, 20, "a2")?, None);
        assert_eq!(around(&c, &stranger, 30, "a3")?, both(None, Some("a1")));
        Ok(())
    }

    #[test]
    fn hostile_keys_are_only_values() -> TestResult {
        let c = db()?;
        world(&c)?;
        let evil = Around::Of(Listing::Tag("x') OR 1=1 --".into()));
        assert_eq!(around(&c, &evil, 30, "a3")?, None);
        assert_eq!(around(&c, &Around::Feed, 30, "a3' OR '1'='1")?, None);
        Ok(())
    }
}
