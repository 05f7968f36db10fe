package records

import (
	"errors"
	"math/big"
	"strconv"
	"testing"
)

// farExponent must answer as big.Rat would have, only sooner. Exponents up
// to 1e5 keep big.Rat's own answer affordable here.
func TestFarExponentAnswersAsBigRat(t *testing.T) {
	inputs := []string{
		"1e99999", "-1e99999", "1e-99999", "-1e-99999", "0e99999", "-0.000e-99999", "0.0e38", "0e37",
		"1e38", "1e37", "9.99e37", "1e-10", "1e-11", "123.456e-20", "100000e-15", "1E+40", "2.5E-50",
		"0.0000000000000000000000000000000000000000001e40", "12345678901234567890e-40", "1e0000038",
	}
	for _, text := range inputs {
		got, gotErr, settled := farExponent(text)
		want, wantErr := ratDecimal(text)
		if !settled {
			continue
		}
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() ||
			errors.Is(gotErr, ErrDecimalRange) != errors.Is(wantErr, ErrDecimalRange) {
			t.Errorf("%s: error %v, big.Rat says %v", text, gotErr, wantErr)
			continue
		}
		if gotErr == nil && (got.small != want.small || got.big.Cmp(want.big) != 0) {
			t.Errorf("%s: %v, big.Rat says %v", text, got, want)
		}
		wantInt, wantIntErr := ratInt(text)
		gotInt, gotIntErr := parseInt(text)
		if gotInt != wantInt || (gotIntErr == nil) != (wantIntErr == nil) {
			t.Errorf("%s: parseInt %d, %v; big.Rat says %d, %v", text, gotInt, gotIntErr, wantInt, wantIntErr)
		}
	}
	for _, text := range []string{"1e99999", "-1e-99999", "0e99999", "1e38"} {
		if _, _, settled := farExponent(text); !settled {
			t.Errorf("%s not settled without big.Rat", text)
		}
	}
	for _, text := range []string{"1e1000001", "1e12345678", "1.5e3", "1e20"} {
		if _, _, settled := farExponent(text); settled {
			t.Errorf("%s settled: it is big.Rat's to answer", text)
		}
	}
}

// ratInt is parseInt as it was before farExponent: the oracle.
func ratInt(text string) (int64, error) {
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, nil
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, errors.New("not a 64-bit integer")
	}
	return r.Num().Int64(), nil
}
