//! Strings of the participant mode, in Chinese and English.

use crate::i18n::messages;

messages! {
    pub enum StudyMsg {
        Study => ("研究", "Study"),
        Accept => ("同意并开始", "I agree, start"),
        Decline => ("不同意", "I do not agree"),
        Declined => (
            "您没有同意参加，没有记录任何数据。现在可以关闭此页面。",
            "You did not agree to take part; nothing was recorded. You may close this page now.",
        ),
        Next => ("完成，下一个任务", "Done, next task"),
        Finish => ("完成，结束研究", "Done, finish the study"),
        Skip => ("跳过此任务", "Skip this task"),
        NextHint => ("发出红包后点击「完成」", "Press Done once you have sent the packet"),
        Thanks => ("谢谢您的参与！", "Thank you for taking part!"),
        DoneText => (
            "研究已完成。请把下面的完成码交给研究人员。",
            "The study is complete. Please give the code below to the researcher.",
        ),
        CodeLabel => ("完成码", "Completion code"),
        NoConsent => (
            "研究需要中英文的知情同意文本",
            "A study needs its consent text in zh and en",
        ),
        NoTasks => ("研究至少需要一个任务", "A study needs at least one task"),
        CannotStart => ("无法开始研究", "The study cannot start"),
    }
    /// A study that is not JSON of the expected shape (serde's message).
    fn bad_json(lang, e: &str) => ("研究的 JSON 格式错误：{e}", "Not valid study JSON: {e}");
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
    /// "Task 1 of 3".
    fn progress(lang, n: usize, of: usize) => ("任务 {n} / {of}", "Task {n} of {of}");
}
