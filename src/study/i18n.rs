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
        CannotStart => ("无法开始研究", "The study cannot start"),
    }
    /// "Task 1 of 3".
    fn progress(lang, n: usize, of: usize) => ("任务 {n} / {of}", "Task {n} of {of}");
}
