//! After sending (PRODUCT §4): the countdown ring, the Recall button, the recall trace. (Stub.)
