//! `postern demo`: a throwaway profile with two Maildir accounts built from the samples.
