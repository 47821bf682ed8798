# Huawei's Terraform provider against ims-stub: its three IMS system image resources and two data sources.
# Every endpoint the provider might ask for points at the stub, so that any call it makes shows in the stub's
# request journal and none leaves the machine.
terraform {
  required_providers {
    huaweicloud = {
      source = "huaweicloud/huaweicloud"
    }
  }
}

variable "endpoint" {
  type = string
}

variable "access_key" {
  type = string
}

variable "secret_key" {
  type      = string
  sensitive = true
}

variable "project_id" {
  type = string
}

variable "generation" {
  description = "Changes the images' names, descriptions and tags, to update them in place."
  type        = string
  default     = "1"
}

variable "with_images" {
  description = "Whether to manage the three images (false: only the data sources, for a failing create)."
  type        = bool
  default     = true
}

variable "with_legacy_image" {
  description = "Whether to manage an image through the deprecated huaweicloud_images_image, whose job errors carry IMS's code and reason."
  type        = bool
  default     = false
}

provider "huaweicloud" {
  region                  = "cn-north-4"
  access_key              = var.access_key
  secret_key              = var.secret_key
  project_id              = var.project_id
  domain_id               = "0123456789abcdef0123456789abcdef"
  skip_check_website_type = true
  max_retries             = 0
  auth_url                = "${var.endpoint}/v3"
  endpoints = {
    ims = var.endpoint
    iam = var.endpoint
    eps = var.endpoint
    bss = var.endpoint
  }
}

resource "huaweicloud_ims_ecs_system_image" "server" {
  count       = var.with_images ? 1 : 0
  name        = "tf-ecs-${var.generation}"
  instance_id = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
  description = "made by terraform, generation ${var.generation}"
  tags = {
    generation = var.generation
  }
}

resource "huaweicloud_ims_evs_system_image" "volume" {
  count       = var.with_images ? 1 : 0
  name        = "tf-evs-${var.generation}"
  volume_id   = "c5dfbd0c-bf0a-4798-a453-61dc6b54aa30"
  os_version  = "CentOS 7.0 64bit"
  description = "made by terraform, generation ${var.generation}"
  tags = {
    generation = var.generation
  }
}

resource "huaweicloud_ims_obs_system_image" "file" {
  count       = var.with_images ? 1 : 0
  name        = "tf-obs-${var.generation}"
  image_url   = "ims-image:centos70.qcow2"
  min_disk    = 40
  os_version  = "CentOS 7.0 64bit"
  description = "made by terraform, generation ${var.generation}"
  tags = {
    generation = var.generation
  }
}

resource "huaweicloud_images_image" "legacy" {
  count       = var.with_legacy_image ? 1 : 0
  name        = "tf-legacy-${var.generation}"
  instance_id = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
  description = "made by terraform, generation ${var.generation}"
}

# The data source pages through ListImages by marker until a page comes back empty.
data "huaweicloud_images_image" "newest_private" {
  count       = var.with_images ? 1 : 0
  visibility  = "private"
  most_recent = true
  sort_key    = "name"
  depends_on  = [huaweicloud_ims_ecs_system_image.server, huaweicloud_ims_evs_system_image.volume, huaweicloud_ims_obs_system_image.file]
}

data "huaweicloud_images_image" "by_name" {
  count      = var.with_images ? 1 : 0
  name       = "tf-obs-${var.generation}"
  depends_on = [huaweicloud_ims_obs_system_image.file]
}

data "huaweicloud_ims_quotas" "quotas" {
  depends_on = [huaweicloud_ims_ecs_system_image.server, huaweicloud_ims_evs_system_image.volume, huaweicloud_ims_obs_system_image.file]
}

output "image_ids" {
  value = var.with_images ? [huaweicloud_ims_ecs_system_image.server[0].id, huaweicloud_ims_evs_system_image.volume[0].id, huaweicloud_ims_obs_system_image.file[0].id] : []
}

output "newest_private_id" {
  value = var.with_images ? data.huaweicloud_images_image.newest_private[0].id : ""
}

output "by_name_id" {
  value = var.with_images ? data.huaweicloud_images_image.by_name[0].id : ""
}

output "quotas" {
  value = data.huaweicloud_ims_quotas.quotas.quotas
}
