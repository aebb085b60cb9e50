//! Places: from a name or postcode to coordinates, and from two points to travel minutes.
//!
//! The embedded gazetteer (`config/places.tsv`, `config/postcode_areas.tsv`) knows Dutch and
//! Belgian places and coarse postcode areas; `passend geo import` adds PC4 centroids from the
//! GeoNames postal file into `<data>/postcodes.tsv`, which [`Gazetteer::add_postcodes`] reads.
//! Analysis asks "where is 'Den Bosch'?"; the matcher asks "how far is that from home?". This
//! module holds data in memory and does arithmetic; the files are read by [`crate::resources`].

use std::collections::HashMap;

use crate::model::Place;

#[derive(Debug, Clone)]
pub struct Gazetteer {
    /// folded name → (display name, lat, lon, country)
    places: HashMap<String, Vec<Entry>>,
    /// (country, 2-digit prefix) → (place, lat, lon)
    areas: HashMap<(String, String), (String, f64, f64)>,
    /// PC4 → (place, lat, lon), after `geo import`
    pc4: HashMap<String, (String, f64, f64)>,
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    lat: f64,
    lon: f64,
    country: String,
}

/// Lower-case, strip accents and punctuation, collapse spaces: "'s-Hertogenbosch" → "s hertogenbosch".
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                out.push(l);
            }
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
}

impl Gazetteer {
    pub fn parse(places_tsv: &str, areas_tsv: &str) -> anyhow::Result<Gazetteer> {
        let mut g = Gazetteer {
            places: HashMap::new(),
            areas: HashMap::new(),
            pc4: HashMap::new(),
        };
        for (n, line) in places_tsv.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 4 || cols[0] == "name" {
                continue;
            }
            let (Ok(lat), Ok(lon)) = (cols[1].trim().parse::<f64>(), cols[2].trim().parse::<f64>())
            else {
                anyhow::bail!("places.tsv line {}: bad coordinates", n + 1);
            };
            let e = Entry {
                name: cols[0].trim().to_string(),
                lat,
                lon,
                country: cols[3].trim().to_string(),
            };
            let mut names = vec![cols[0].to_string()];
            if let Some(aliases) = cols.get(5) {
                names.extend(aliases.split('|').map(str::to_string));
            }
            for name in names {
                let key = fold(&name);
                if key.is_empty() {
                    continue;
                }
                let list = g.places.entry(key).or_default();
                if !list
                    .iter()
                    .any(|x| x.name == e.name && x.country == e.country)
                {
                    list.push(e.clone());
                }
            }
        }
        for line in areas_tsv.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 5 || cols[0] == "country" {
                continue;
            }
            if let (Ok(lat), Ok(lon)) = (cols[2].trim().parse(), cols[3].trim().parse()) {
                g.areas.insert(
                    (cols[0].trim().to_string(), cols[1].trim().to_string()),
                    (cols[4].trim().to_string(), lat, lon),
                );
            }
        }
        Ok(g)
    }

    /// Add PC4 centroids: lines `pc4<TAB>place<TAB>lat<TAB>lon` (written by `geo import`).
    pub fn add_postcodes(&mut self, tsv: &str) -> usize {
        let mut n = 0;
        for line in tsv.lines() {
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() >= 4
                && let (Ok(lat), Ok(lon)) = (c[2].parse(), c[3].parse())
            {
                self.pc4
                    .insert(c[0].to_string(), (c[1].to_string(), lat, lon));
                n += 1;
            }
        }
        n
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Look up a place name as written in a vacancy ("Den Bosch", "Thuiswerken in Deventer",
    /// "Utrecht+1 plaats", "Amsterdam-Zuidoost", "9000 Gent"). `country` prefers NL or BE.
    pub fn place(&self, raw: &str, country: Option<&str>) -> Option<Place> {
        let mut remote = false;
        let mut s = raw.trim().to_string();
        let lower = s.to_lowercase();
        for prefix in [
            "thuiswerken in ",
            "thuiswerk in ",
            "remote in ",
            "hybride in ",
            "hybride werken in ",
        ] {
            if lower.starts_with(prefix) {
                s = s[prefix.len()..].to_string();
                remote = true;
            }
        }
        if let Some(i) = s.find('+') {
            s.truncate(i);
        }
        if let Some(i) = s.find('(') {
            let inner = s[i + 1..].trim_end_matches(')').to_string();
            let head = s[..i].to_string();
            return self
                .place(&head, country)
                .or_else(|| self.place(&inner, country))
                .map(|mut p| {
                    p.remote |= remote;
                    p
                });
        }
        // "9000 Gent", "3521 AB Utrecht"
        let words: Vec<&str> = s.split_whitespace().collect();
        if words.len() > 1 && words[0].len() == 4 && words[0].bytes().all(|b| b.is_ascii_digit()) {
            let rest = words[1..]
                .iter()
                .skip_while(|w| w.len() == 2 && w.bytes().all(|b| b.is_ascii_uppercase()))
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            if let Some(mut p) = self.place(&rest, country) {
                p.remote |= remote;
                return Some(p);
            }
        }
        let key = fold(&s);
        if key.is_empty() {
            return None;
        }
        let found = self.lookup(&key, country).or_else(|| {
            // "Amsterdam-Zuidoost", "Rotterdam Centrum", "Gent, Oost-Vlaanderen": try prefixes.
            let parts: Vec<&str> = key.split(' ').collect();
            (1..parts.len())
                .rev()
                .find_map(|n| self.lookup(&parts[..n].join(" "), country))
        });
        found.map(|e| Place {
            name: e.name.clone(),
            lat: e.lat,
            lon: e.lon,
            precision: "place".into(),
            remote,
        })
    }

    fn lookup(&self, key: &str, country: Option<&str>) -> Option<&Entry> {
        let list = self.places.get(key)?;
        let want = country.map(normalise_country);
        list.iter()
            .find(|e| Some(e.country.as_str()) == want.as_deref())
            .or_else(|| list.first())
    }

    /// A postcode: PC4 precision after `geo import`, else the 2-digit area. NL unless `country` BE.
    pub fn postcode(&self, pc: &str, country: Option<&str>) -> Option<Place> {
        let digits: String = pc.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.len() != 4 {
            return None;
        }
        let cc = country
            .map(normalise_country)
            .unwrap_or_else(|| "NL".into());
        if cc == "NL"
            && let Some((name, lat, lon)) = self.pc4.get(&digits)
        {
            return Some(Place {
                name: name.clone(),
                lat: *lat,
                lon: *lon,
                precision: "postcode".into(),
                remote: false,
            });
        }
        let (name, lat, lon) = self.areas.get(&(cc, digits[..2].to_string()))?;
        Some(Place {
            name: name.clone(),
            lat: *lat,
            lon: *lon,
            precision: "area".into(),
            remote: false,
        })
    }
}

pub fn normalise_country(c: &str) -> String {
    match fold(c).as_str() {
        "be" | "belgie" | "belgium" | "belgique" | "bel" => "BE".into(),
        "nl" | "nederland" | "netherlands" | "the netherlands" | "nld" => "NL".into(),
        other => other.to_uppercase(),
    }
}

/// Great-circle distance in km.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let r = 6371.0088;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * a.sqrt().asin()
}

/// Door-to-door travel estimate in minutes from straight-line distance.
///
/// Roads wind (detour factor 1.25); a fixed 10 minutes covers the walk to the car or stop and
/// parking; the first 10 km go at town speed (30 km/h), the next 40 km at regional speed
/// (70 km/h) and the rest at motorway speed (95 km/h). A labour-expert's rough estimate for
/// car travel, not a route planner: reasons call it "ongeveer".
pub fn travel_minutes(km: f64) -> u32 {
    let road = km.max(0.0) * 1.25;
    let town = road.min(10.0);
    let regional = (road - 10.0).clamp(0.0, 40.0);
    let motorway = (road - 50.0).max(0.0);
    (10.0 + town / 30.0 * 60.0 + regional / 70.0 * 60.0 + motorway / 95.0 * 60.0).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> Gazetteer {
        Gazetteer::parse(
            "# test\n's-Hertogenbosch\t51.69\t5.30\tNL\tNoord-Brabant\tDen Bosch|'s Hertogenbosch\nUtrecht\t52.09\t5.12\tNL\tUtrecht\t\nGent\t51.05\t3.72\tBE\tOost-Vlaanderen\tGhent\nBergen\t52.67\t4.70\tNL\tNoord-Holland\t\nBergen\t50.45\t3.95\tBE\tHenegouwen\tMons\n",
            "NL\t35\t52.08\t5.12\tUtrecht\nBE\t90\t51.05\t3.72\tGent\n",
        )
        .unwrap()
    }

    #[test]
    fn names_aliases_and_noise() {
        let g = g();
        assert_eq!(g.place("Den Bosch", None).unwrap().name, "'s-Hertogenbosch");
        let p = g.place("Thuiswerken in Utrecht", None).unwrap();
        assert!(p.remote && p.name == "Utrecht");
        assert_eq!(g.place("Utrecht+1 plaats", None).unwrap().name, "Utrecht");
        assert_eq!(g.place("9000 Gent", Some("BE")).unwrap().name, "Gent");
        assert_eq!(g.place("Utrecht-Oost", None).unwrap().name, "Utrecht");
        assert_eq!(g.place("Bergen", Some("BE")).unwrap().lat, 50.45);
        assert!(g.place("Ingelogd", None).is_none());
        assert_eq!(g.postcode("3531", None).unwrap().precision, "area");
    }

    #[test]
    fn distances_and_minutes() {
        let km = haversine_km(51.5555, 5.0913, 52.0907, 5.1214);
        assert!((km - 59.5).abs() < 0.5, "{km}");
        assert_eq!(travel_minutes(0.0), 10);
        // Tilburg–Utrecht is about an hour by car
        assert!(
            (50..=80).contains(&travel_minutes(km)),
            "{}",
            travel_minutes(km)
        );
        // across town: a quarter of an hour
        assert!((12..=25).contains(&travel_minutes(4.0)));
    }
}
