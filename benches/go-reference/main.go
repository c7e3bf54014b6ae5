// The Go approach the issue compares against: parse the ResourceList into a yaml.v3 node tree
// and write it back (what a kyaml-based KRM function does before any logic runs).
package main

import (
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		panic(err)
	}
	enc := yaml.NewEncoder(os.Stdout)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		panic(err)
	}
}
