package hadolint

import (
	"reflect"
	"testing"
)

// A spec written for this test in the syntax of Hadolint's rule specs:
// not taken from Hadolint.
const sampleSpec = `module Hadolint.Rule.DL9999Spec (spec) where

import Helpers
import Test.Hspec

spec :: SpecWith ()
spec = do
  let ?config = def

  describe "DL9999 - An invented rule." $ do
    it "flags a \"bad\" thing" $ do
      ruleCatches "DL9999" "FROM alpine\nRUN make \\\n  all"
      onBuildRuleCatches "DL9999" "RUN make all"
    it "multi-line \
       \name" $
      let dockerFile =
            [ "FROM alpine",
              "RUN echo a \
              \b \\",  -- a comment with "quotes"
              "  && echo c"
            ]
       in do
            ruleCatchesNot "DL9999" $ Text.unlines dockerFile
            onBuildRuleCatchesNot "DL9999" $ Text.unlines dockerFile
    {- a block comment: ruleCatches "DL9999" "FROM ignored" -}
    it "with registries" $ do
      let dockerFile = [ "FROM x.org/base" ]
      let ?config = def { allowedRegistries = ["x.org", "*.y.org"], strictLabels = True }
      ruleCatchesNot "DL9999" $ Text.unlines dockerFile
    it "block let" $ do
      let
        rule = "DL9999"
        snippet =
          Text.unlines
            [ "FROM alpine" ]
       in ruleCatches rule snippet
    it "counts" $
      assertChecks
        (Text.unlines ["FROM a", "FROM b"])
        (failsWith 2 "DL9999")
    it "back at the default config" $
      ruleCatchesNot
        "DL9999"
        "FROM \x41\&1\SOH"
    it "unknown helper argument" $ ruleCatches "DL9999" (someFunction 3)
    it "bogus code" $ onBuildRuleCatchesNot "FROM a\nDL9999" "RUN x"
`

func TestExtract(t *testing.T) {
	cases, skipped := Extract("test/Hadolint/Rule/DL9999Spec.hs", []byte(sampleSpec))
	f := "test/Hadolint/Rule/DL9999Spec.hs"
	want := []Case{
		{f, 12, `flags a "bad" thing`, "DL9999", true, false, -1, "ruleCatches", "FROM alpine\nRUN make \\\n  all", nil},
		{f, 13, `flags a "bad" thing`, "DL9999", true, true, 1, "onBuildRuleCatches", "RUN make all", nil},
		{f, 23, "multi-line name", "DL9999", false, false, 0, "ruleCatchesNot", "FROM alpine\nRUN echo a b \\\n  && echo c\n", nil},
		{f, 24, "multi-line name", "DL9999", false, true, 0, "onBuildRuleCatchesNot", "FROM alpine\nRUN echo a b \\\n  && echo c\n", nil},
		{f, 29, "with registries", "DL9999", false, false, 0, "ruleCatchesNot", "FROM x.org/base\n",
			map[string]string{"allowedRegistries": "x.org,*.y.org", "strictLabels": "True"}},
		{f, 36, "block let", "DL9999", true, false, -1, "ruleCatches", "FROM alpine\n", nil},
		{f, 38, "counts", "DL9999", true, false, 2, "assertChecks", "FROM a\nFROM b\n", nil},
		{f, 42, "back at the default config", "DL9999", false, false, 0, "ruleCatchesNot", "FROM A1\x01", nil},
	}
	if !reflect.DeepEqual(cases, want) {
		for i := range max(len(cases), len(want)) {
			var g, w Case
			if i < len(cases) {
				g = cases[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("case %d:\n got %#v\nwant %#v", i, g, w)
			}
		}
	}
	if len(skipped) != 2 || skipped[0].Line != 45 || skipped[1].Line != 46 {
		t.Errorf("skipped = %+v; want the unknown argument (line 45) and the bogus code (line 46)", skipped)
	}
	if c, s := Extract("ShellSpec.hs", []byte(sampleSpec)); c != nil || s != nil {
		t.Errorf("non-DL spec file yielded %v %v", c, s)
	}
}

func TestOnBuild(t *testing.T) {
	src := "FROM a\nrun echo \\\n  RUN not-an-instruction \\\n# comment\n\n  done\nRUN <<EOF\nRUN inside heredoc\nEOF\nCOPY a b\n  RUN indented\n"
	want := "FROM a\nONBUILD run echo \\\n  RUN not-an-instruction \\\n# comment\n\n  done\nONBUILD RUN <<EOF\nRUN inside heredoc\nEOF\nCOPY a b\n  ONBUILD RUN indented\n"
	if got := wrapOnBuild(src); got != want {
		t.Errorf("wrapOnBuild:\n%s\nwant:\n%s", got, want)
	}
	src = "# escape=`\nFROM a\nRUN echo `\n  RUN x\n"
	want = "# escape=`\nFROM a\nONBUILD RUN echo `\n  RUN x\n"
	if got := wrapOnBuild(src); got != want {
		t.Errorf("wrapOnBuild with escape=`:\n%s\nwant:\n%s", got, want)
	}
}
