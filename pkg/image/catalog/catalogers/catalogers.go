// Package catalogers lists every ecosystem cataloger. Catalogers are listed
// here, not registered from init, so what runs is what this list says; a
// test fails when a cataloger package exists but is not listed.
package catalogers

import (
	"github.com/bulwarksec/bulwark/pkg/image/catalog"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/apk"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/dotnet"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/dpkg"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/gobinary"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/java"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/npm"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/php"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/python"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/rpm"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/ruby"
	"github.com/bulwarksec/bulwark/pkg/image/catalog/rust"
)

// All returns a new instance of every cataloger.
func All() []catalog.Cataloger {
	return []catalog.Cataloger{
		apk.New(),
		dpkg.New(),
		rpm.New(),
		gobinary.New(),
		npm.New(),
		python.New(),
		java.New(),
		ruby.New(),
		rust.New(),
		php.New(),
		dotnet.New(),
	}
}
