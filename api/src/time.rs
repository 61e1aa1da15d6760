//! RFC 3339 times on the wire (`2026-05-20T12:00:00.000Z`), as the engine's [`Timestamp`].

use hongbao_engine::Timestamp;

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`.
pub fn parse(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0..4)? as i32, num(5..7)? as u8, num(8..10)? as u8);
    let (hour, minute, second) = (num(11..13)? as u8, num(14..16)? as u8, num(17..19)? as u8);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 3 {
                millis = millis * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..3 {
            millis *= 10;
        }
    }
    let offset_minutes: i64 = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let m = i64::from(num(i + 1..i + 3)?) * 60 + i64::from(num(i + 4..i + 6)?);
            if *sign == b'+' { m } else { -m }
        }
        _ => return None,
    };
    let utc = Timestamp::from_utc(year, month, day, hour, minute, second.min(59));
    Some(Timestamp::from_millis(
        utc.millis() + millis - offset_minutes * 60_000,
    ))
}

pub mod rfc3339 {
    use hongbao_engine::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(t)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        super::parse(&s).ok_or_else(|| D::Error::custom(format!("not an RFC 3339 time: {s:?}")))
    }
}

pub mod rfc3339_opt {
    use hongbao_engine::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.collect_str(t),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => super::parse(&s)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("not an RFC 3339 time: {s:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_offsets() {
        let t = Timestamp::from_utc(2026, 5, 20, 13, 14, 0).plus_millis(520);
        assert_eq!(t.to_string(), "2026-05-20T13:14:00.520Z");
        assert_eq!(parse(&t.to_string()), Some(t));
        assert_eq!(parse("2026-05-20T21:14:00.52+08:00"), Some(t));
        assert_eq!(parse("2026-05-20T13:14:00Z"), Some(t.plus_millis(-520)));
        for bad in [
            "",
            "2026-05-20",
            "2026-13-01T00:00:00Z",
            "2026-05-20T13:14:00",
            "2026-05-20T13:14:00.Z",
            "２０２６-05-20T13:14:00Z",
            "2026-05-20T13:14:00+0800",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
