package jsontext

import (
	"unicode/utf16"
	"unicode/utf8"
)

// AppendUnquoted appends the value of a string String accepted, given as
// its bytes between the quotes, as json.Unmarshal decodes it: escapes
// undone, a lone UTF-16 surrogate escape and each byte of invalid UTF-8
// become U+FFFD.
func AppendUnquoted(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && c != '\\' {
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			continue
		}
		switch s[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hexRune(s[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				// Only a pair is a character; a surrogate alone or
				// followed by anything else is replaced, and what follows
				// is read on its own.
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if pair := utf16.DecodeRune(r, hexRune(s[i+2:i+6])); pair != utf8.RuneError {
						dst = utf8.AppendRune(dst, pair)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/': the character itself
			dst = append(dst, s[i+1])
		}
		i += 2
	}
	return dst
}

// Unquote returns the value of a string String accepted, given as its
// bytes between the quotes. The common string, ASCII without escapes,
// costs one copy.
func Unquote(s []byte) string {
	for _, c := range s {
		if c == '\\' || c >= utf8.RuneSelf {
			return string(AppendUnquoted(make([]byte, 0, len(s)), s))
		}
	}
	return string(s)
}

func hexRune(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}
