//! The project's bilingual message tables: [`messages!`](crate::messages) (used by the widget's
//! folders too) and the messages of this crate's errors.
//!
//! Every table is one row per message: its name, its Chinese and its English text, so a
//! missing translation does not compile; the same rows give the table's `ALL`, which the
//! widget's tests check for empty or untranslated texts.

use crate::settings::SettingError;
pub use hongbao_engine::Lang;

/// Defines a message table: an enum `$name` whose `text(lang)` gives each row's text, with
/// `$name::ALL` listing every message; then functions for the messages with arguments, each
/// `pub fn f(args…, lang: Lang) -> String`.
///
/// ```ignore
/// messages! {
///     pub enum Msg {
///         Balance => ("零钱余额", "Balance"),
///     }
///     /// "红包 #12" / "Packet #12".
///     fn packet_ref(lang, id: u64) => ("红包 #{id}", "Packet #{id}");
///     /// A statement block may prepare what the texts use; a text may be a block (plurals).
///     fn secs_left(lang, secs: i64) { let n = secs; } => ("还可撤回 {n} 秒", {
///         if n == 1 { "1 second left".into() } else { format!("{n} seconds left") }
///     });
/// }
/// ```
#[macro_export]
macro_rules! messages {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$row_meta:meta])* $msg:ident => ($zh:expr, $en:expr $(,)?),)*
        }
        $(
            $(#[$fn_meta:meta])*
            fn $f:ident($lang:ident $(, $arg:ident: $ty:ty)*) $({ $($prep:stmt;)* })?
                => ($fzh:tt, $fen:tt $(,)?);
        )*
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$row_meta])* $msg,)*
        }

        impl $name {
            /// Every message of the table, in the table's order.
            pub const ALL: &'static [$name] = &[$($name::$msg,)*];

            pub fn text(self, lang: $crate::i18n::Lang) -> &'static str {
                const ZH: &[&str] = &[$($zh,)*];
                const EN: &[&str] = &[$($en,)*];
                match lang {
                    $crate::i18n::Lang::Zh => ZH[self as usize],
                    $crate::i18n::Lang::En => EN[self as usize],
                }
            }
        }

        $(
            $(#[$fn_meta])*
            pub fn $f($($arg: $ty,)* $lang: $crate::i18n::Lang) -> String {
                $($($prep)*)?
                match $lang {
                    $crate::i18n::Lang::Zh => $crate::messages!(@text $fzh),
                    $crate::i18n::Lang::En => $crate::messages!(@text $fen),
                }
            }
        )*
    };
    (@text $text:literal) => { format!($text) };
    (@text $text:block) => { String::from($text) };
}

messages! {
    /// Messages of the refusals of experiments and studies.
    pub enum ErrorMsg {
        NoVariants => ("至少需要一个变体", "At least one variant is needed"),
        ZeroWeights => ("变体权重之和必须大于 0", "The variants' weights must sum to more than 0"),
        NoConsent => (
            "研究需要中英文的知情同意文本",
            "A study needs its consent text in zh and en",
        ),
        NoTasks => ("研究至少需要一个任务", "A study needs at least one task"),
    }
    /// An experiment that is not JSON of the expected shape (serde's message).
    fn bad_experiment_json(lang, e: &str) => ("JSON 格式错误：{e}", "Not valid experiment JSON: {e}");
    fn bad_key(lang, k: &str) => (
        "实验名 {k:?} 无效（只能用字母、数字、- 和 _）",
        "Experiment key {k:?} is invalid (letters, digits, - and _ only)"
    );
    fn duplicate_variant(lang, v: &str) => ("变体 {v:?} 重复", "Variant {v:?} appears twice");
    /// A variant's setting that `Settings::apply` refuses.
    fn bad_setting(lang, variant: &str, error: &SettingError) {
        let (key, value, expected) = (&error.key, &error.value, error.expected);
    } => ("变体 {variant}：设置 {key}={value:?} 无效，应为 {expected}", "Variant {variant}: setting {error}");
    /// A task's intended outcome that cannot be a packet.
    fn bad_task(lang, task: &str, reason: &str) => ("任务 {task}：{reason}", "Task {task}: {reason}");
    /// A study that is not JSON of the expected shape (serde's message).
    fn bad_study_json(lang, e: &str) => ("研究的 JSON 格式错误：{e}", "Not valid study JSON: {e}");
    fn unknown(lang, k: &str) => ("没有这个研究：{k}", "No study named {k}");
    fn closed(lang, k: &str) => (
        "研究 {k} 已结束，不再接受新的参与者。谢谢您的关注！",
        "The study {k} is closed and takes no more participants. Thank you for your interest!"
    );
    fn duplicate_task(lang, t: &str) => ("任务 {t} 重复", "Task {t} appears twice");
    fn not_a_member(lang, task: &str, chat: &str) => (
        "任务 {task}：研究的用户不在聊天 {chat} 中",
        "Task {task}: the study's user is not in chat {chat}"
    );
}
