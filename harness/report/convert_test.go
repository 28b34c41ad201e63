package report

import (
	"reflect"
	"testing"

	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/probes"
)

// Every field of a schema type must be filled by its converter: from a
// source value with every field set, no field of the result may stay
// zero. A field the schema gains without a converter line fails here.
func TestConvertersFillEverySchemaField(t *testing.T) {
	for _, tc := range []struct {
		name    string
		convert func() any
	}{
		{"FromEnvironment", func() any { return FromEnvironment(filled[sandbox.Environment]()) }},
		{"FromExposures", func() any { return FromExposures([]behavior.Exposure{filled[behavior.Exposure]()}) }},
		{"FromProbeResults", func() any { return FromProbeResults([]probes.Result{filled[probes.Result]()}) }},
		{"FromPreflight", func() any { e := filled[probes.Environment](); return FromPreflight(&e) }},
		{"FromDifferences", func() any { return FromDifferences([]probes.Difference{filled[probes.Difference]()}) }},
		{"FromHostCheck", func() any { h := filled[probes.HostCheck](); return FromHostCheck(&h) }},
	} {
		if path := zeroField(reflect.ValueOf(tc.convert()), ""); path != "" {
			t.Errorf("%s leaves %s empty", tc.name, path)
		}
	}
}

// Nil stays nil and empty stays empty: the document tells "not measured"
// (null) from "none found" ([]).
func TestConvertersKeepNilApartFromEmpty(t *testing.T) {
	if FromExposures(nil) != nil || FromProbeResults(nil) != nil || FromDifferences(nil) != nil ||
		FromPreflight(nil) != nil || FromHostCheck(nil) != nil {
		t.Error("a nil input converted to a non-nil value")
	}
	if e := FromExposures([]behavior.Exposure{}); e == nil || len(e) != 0 {
		t.Errorf("FromExposures(empty) = %#v, want an empty slice", e)
	}
	if d := FromDifferences([]probes.Difference{}); d == nil || len(d) != 0 {
		t.Errorf("FromDifferences(empty) = %#v, want an empty slice", d)
	}
}

// filled is a T with every field set to a non-zero value.
func filled[T any]() T {
	var v T
	fill(reflect.ValueOf(&v).Elem())
	return v
}

func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		v.SetMapIndex(k, e)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	}
}

// zeroField is the path of the first zero field in v, or "".
func zeroField(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return path + " (nil)"
		}
		return zeroField(v.Elem(), path)
	case reflect.Slice:
		if v.Len() == 0 {
			return path + " (empty)"
		}
		return zeroField(v.Index(0), path+"[0]")
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if p := zeroField(v.Field(i), path+"."+v.Type().Field(i).Name); p != "" {
				return p
			}
		}
		return ""
	}
	if v.IsZero() {
		return path
	}
	return ""
}
