// The provider's own main.go: serves huaweicloud.Provider through the plugin SDK.
package main

import (
	"log"

	"github.com/hashicorp/terraform-plugin-sdk/v2/plugin"
	"github.com/huaweicloud/terraform-provider-huaweicloud/huaweicloud"
)

func main() {
	log.SetFlags(log.Flags() &^ (log.Ldate | log.Ltime))
	plugin.Serve(&plugin.ServeOpts{ProviderFunc: huaweicloud.Provider})
}
