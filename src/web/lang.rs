//! The page language: Chinese by default, English on request.

/// Chinese by default; English with `?lang=en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_query(lang: Option<&str>) -> Self {
        match lang {
            Some(l) if l.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn zh(self) -> bool {
        self == Lang::Zh
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The query suffix that keeps the language on links (`?lang=en` or nothing).
    pub fn query(self) -> &'static str {
        match self {
            Lang::Zh => "",
            Lang::En => "?lang=en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_only_when_asked() {
        assert_eq!(Lang::from_query(Some("EN")), Lang::En);
        assert_eq!(Lang::from_query(Some("fr")), Lang::Zh);
        assert_eq!(Lang::from_query(None), Lang::Zh);
    }
}
