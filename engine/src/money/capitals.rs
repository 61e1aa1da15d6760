//! The amount in Chinese capital numerals (大写金额), as banks print them.

use super::Money;

impl Money {
    /// The amount in Chinese capital numerals (大写金额) as banks print them.
    ///
    /// Rules followed (中国人民银行《正确填写票据和结算凭证的基本规定》):
    /// - digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟, sections 万 and 亿 (and 万亿, 亿亿 above that);
    ///   a leading ten keeps its 壹: `10.00` → 壹拾元整;
    /// - one or more zeros inside the number are written as a single 零
    ///   (`1001.01` → 壹仟零壹元零壹分, `100100` → 壹拾万零壹佰元整); zeros at the end of a
    ///   section are not written (`107000` → 壹拾万柒仟元整);
    /// - an amount that ends at 元 gets 整 (`188.00` → 壹佰捌拾捌元整); one that ends at 角
    ///   does not (`1.50` → 壹元伍角, the rule allows either); one that ends at 分 never does;
    /// - when 角 is zero and 分 is not, 零 is written after 元 (`325.04` → 叁佰贰拾伍元零肆分);
    ///   when only the 元 digit is zero before a non-zero 角, no 零 is written
    ///   (`1680.32` → 壹仟陆佰捌拾元叁角贰分, the rule allows either);
    /// - amounts below one yuan have no 元 part (`0.05` → 伍分, `0.50` → 伍角);
    ///   zero is 零元整, and a negative amount is prefixed with 负.
    pub fn to_capitals(self) -> String {
        const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
        let mut out = String::new();
        if self.0 < 0 {
            out.push('负');
        }
        let abs = self.0.unsigned_abs();
        let yuan = abs / 100;
        let jiao = ((abs / 10) % 10) as usize;
        let fen = (abs % 10) as usize;
        if yuan == 0 && jiao == 0 && fen == 0 {
            out.push_str("零元整");
            return out;
        }
        if yuan > 0 {
            capitals_int(yuan, &mut out);
            out.push('元');
            if jiao == 0 && fen == 0 {
                out.push('整');
                return out;
            }
            if jiao == 0 {
                out.push('零');
            }
        }
        if jiao > 0 {
            out.push(DIGITS[jiao]);
            out.push('角');
        }
        if fen > 0 {
            out.push(DIGITS[fen]);
            out.push('分');
        }
        out
    }
}

fn capitals_int(n: u64, out: &mut String) {
    const YI: u64 = 100_000_000;
    if n >= YI {
        let high = n / YI;
        let low = n % YI;
        capitals_int(high, out);
        out.push('亿');
        if low > 0 {
            if low < YI / 10 {
                out.push('零');
            }
            capitals_section8(low, out);
        }
    } else {
        capitals_section8(n, out);
    }
}

fn capitals_section8(n: u64, out: &mut String) {
    if n >= 10_000 {
        let high = n / 10_000;
        let low = n % 10_000;
        capitals_section4(high, out);
        out.push('万');
        if low > 0 {
            if low < 1_000 {
                out.push('零');
            }
            capitals_section4(low, out);
        }
    } else {
        capitals_section4(n, out);
    }
}

fn capitals_section4(n: u64, out: &mut String) {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNITS: [&str; 4] = ["仟", "佰", "拾", ""];
    let digits = [n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10];
    let mut started = false;
    let mut zero_pending = false;
    for (d, unit) in digits.iter().zip(UNITS) {
        if *d == 0 {
            if started {
                zero_pending = true;
            }
        } else {
            if zero_pending {
                out.push('零');
                zero_pending = false;
            }
            out.push(DIGITS[*d as usize]);
            out.push_str(unit);
            started = true;
        }
    }
}
