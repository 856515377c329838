package cli

// FirstRunHint is what pingan serve says when nobody can sign in.
var FirstRunHint = firstRunHint
