// Command pingan is the city's political-legal case platform. See README.md.
package main

import (
	"os"

	"pingan/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
