//! The amount in English words.

use super::Money;

impl Money {
    /// The amount in English words.
    ///
    /// Yuan are written as a cardinal number, and the jiao and fen together as a number of fen
    /// (`0.50` → "fifty fen", `1.50` → "one yuan and fifty fen"); no "and" inside numbers,
    /// hyphens between tens and units, and no plural on yuan or fen:
    /// `188.00` → "one hundred eighty-eight yuan", `1001.01` → "one thousand one yuan and one fen",
    /// `0.00` → "zero yuan". Negative amounts start with "minus".
    pub fn to_words_en(self) -> String {
        let mut out = String::new();
        if self.0 < 0 {
            out.push_str("minus ");
        }
        let abs = self.0.unsigned_abs();
        let yuan = abs / 100;
        let fen = abs % 100;
        if yuan == 0 && fen == 0 {
            out.push_str("zero yuan");
            return out;
        }
        if yuan > 0 {
            words_int(yuan, &mut out);
            out.push_str(" yuan");
            if fen > 0 {
                out.push_str(" and ");
            }
        }
        if fen > 0 {
            words_int(fen, &mut out);
            out.push_str(" fen");
        }
        out
    }
}

fn words_int(n: u64, out: &mut String) {
    const SCALES: [&str; 7] = [
        "",
        "thousand",
        "million",
        "billion",
        "trillion",
        "quadrillion",
        "quintillion",
    ];
    let mut groups = [0u64; 7];
    let mut rest = n;
    for g in groups.iter_mut() {
        *g = rest % 1000;
        rest /= 1000;
    }
    let mut first = true;
    for i in (0..groups.len()).rev() {
        let g = groups[i];
        if g == 0 {
            continue;
        }
        if !first {
            out.push(' ');
        }
        first = false;
        words_below_1000(g, out);
        if i > 0 {
            out.push(' ');
            out.push_str(SCALES[i]);
        }
    }
}

fn words_below_1000(n: u64, out: &mut String) {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let hundreds = (n / 100) as usize;
    let rest = (n % 100) as usize;
    if hundreds > 0 {
        out.push_str(ONES[hundreds]);
        out.push_str(" hundred");
        if rest > 0 {
            out.push(' ');
        }
    }
    if rest > 0 {
        if rest < 20 {
            out.push_str(ONES[rest]);
        } else {
            out.push_str(TENS[rest / 10]);
            if !rest.is_multiple_of(10) {
                out.push('-');
                out.push_str(ONES[rest % 10]);
            }
        }
    }
}
