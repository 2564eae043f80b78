# -*- coding: utf-8 -*-
# Copyright: (c) 2026, cecloud.ims contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment:
    # Mirrors CONNECTION_ARGUMENT_SPEC in plugins/module_utils/_providers.py exactly.  Each provider-owned
    # option says which providers read it ("Providers: ..."); a unit test checks it against the registry.
    DOCUMENTATION = r'''
options:
  provider:
    description:
      - The IMS API to talk to.
      - C(cecloud) is China Electronics Cloud (中国电子云) IMS.
      - C(openstack) is the OpenStack Image service API v2 (Glance), with a token (O(auth_token)) or a
        Keystone v3 password login (O(auth_url), O(username), O(password), O(project_name) or O(project_id)).
      - C(huaweicloud) is Huawei Cloud IMS in O(region), with AK/SK signing (O(access_key), O(secret_key), and
        O(security_token) for temporary keys), an IAM password login (O(username), O(password),
        O(user_domain_name)) or a token (O(auth_token)), tried in that order.
      - An option of the other provider (for example O(tenant_id) with C(openstack), or O(auth_url) with
        C(cecloud)) fails the task before any request.
      - An option the task gives wins over every environment variable. When the task gives a credential (O(auth_token);
        O(access_key) and O(secret_key); O(username) and O(password), or O(auth_url) with C(openstack); an
        C(Authorization) header in O(extra_headers)), the environment variables of the other credentials are not read,
        nor E(HUAWEICLOUD_SDK_SECURITY_TOKEN) or E(IMS_SECURITY_TOKEN) when the task gives O(access_key). A task that
        gives two credentials fails before any request, naming both. Only a credential that comes wholly from the
        environment is chosen in the order above (C(openstack) - a password login before O(auth_token)).
      - If not set, the value of the E(IMS_PROVIDER) environment variable is used.
    type: str
    default: cecloud
    choices: [cecloud, huaweicloud, openstack]
  endpoint:
    description:
      - Base URL of the IMS service, for example V(https://ims.example.com:8443); the API paths
        (C(/api/image/v1/...)) are appended to it.
      - Required with C(cecloud); with C(openstack) and a password login it may be omitted and is taken from
        the service catalog (type C(image), O(region), O(interface)); with C(huaweicloud) the default is
        C(https://ims.<region>.myhuaweicloud.com).
      - If not set, the value of the E(IMS_ENDPOINT) environment variable is used.
      - "Providers: cecloud, huaweicloud, openstack."
    type: str
  region:
    description:
      - Region ID. C(cecloud) sends it as the C(x-regionid) header of every request (required);
        C(openstack) uses it to choose the image endpoint in the service catalog; C(huaweicloud) (required)
        works in this region, for example V(cn-north-4), and in its project.
      - If not set, the value of the E(IMS_REGION) environment variable is used (with C(openstack), also
        E(OS_REGION_NAME)).
      - "Providers: cecloud, huaweicloud, openstack."
    type: str
  auth_token:
    description:
      - "Token the caller already has. C(cecloud) sends it as C(Authorization: Bearer <token>); C(openstack)
        and C(huaweicloud) (an IAM token) as C(X-Auth-Token) (instead of a password login)."
      - With C(cecloud) required unless O(extra_headers) carries an C(Authorization) header.
        If not set, the value of the E(IMS_AUTH_TOKEN) environment variable is used (with C(openstack), also
        E(OS_TOKEN)).
      - Never logged and masked in results.
      - "Providers: cecloud, huaweicloud, openstack."
    type: str
  extra_headers:
    description:
      - More HTTP headers sent with every request, for gateways that need them (signing headers, tracing).
      - Header names must be valid HTTP tokens; values must be strings without line breaks.
      - "Providers: cecloud, huaweicloud, openstack."
    type: dict
  tenant_id:
    description:
      - Tenant that owns the images this module creates (create, import, copy).
      - If not set, the value of the E(IMS_TENANT_ID) environment variable is used.
      - "Providers: cecloud."
    type: str
  department_id:
    description:
      - Department of the images this module creates (create, import, copy).
      - If not set, the value of the E(IMS_DEPARTMENT_ID) environment variable is used.
      - "Providers: cecloud."
    type: str
  resource_group_id:
    description:
      - Resource group of the images this module creates.
      - If not set, the value of the E(IMS_RESOURCE_GROUP_ID) environment variable is used.
      - "Providers: cecloud."
    type: str
  auth_url:
    description:
      - URL of the Keystone v3 identity service for a password login, with or without the C(/v3) suffix,
        for example V(https://keystone.example.com:5000/v3).
      - A password login needs O(auth_url), O(username), O(password) and O(project_name) or O(project_id).
      - With C(huaweicloud), the URL of IAM; the default is O(iam_endpoint) (with C(/v3)), else
        C(https://iam.<region>.myhuaweicloud.com/v3). It is used for the login and to find the project of O(region).
      - If not set, the value of the E(IMS_AUTH_URL) or (with C(openstack)) E(OS_AUTH_URL) environment variable is used.
      - "Providers: huaweicloud, openstack."
    type: str
  username:
    description:
      - User name of the password login (with C(huaweicloud), an IAM user of the account O(user_domain_name)).
      - If not set, the value of the E(IMS_USERNAME) or (with C(openstack)) E(OS_USERNAME) environment variable is used.
      - "Providers: huaweicloud, openstack."
    type: str
  password:
    description:
      - Password of the password login; sent only to O(auth_url).
      - If not set, the value of the E(IMS_PASSWORD) or (with C(openstack)) E(OS_PASSWORD) environment variable is used.
      - Never logged and masked in results.
      - "Providers: huaweicloud, openstack."
    type: str
  project_name:
    description:
      - Name of the project the login is scoped to, in O(project_domain_name). Or set O(project_id).
      - If not set, the value of the E(IMS_PROJECT_NAME) or E(OS_PROJECT_NAME) environment variable is used.
      - "Providers: openstack."
    type: str
  project_id:
    description:
      - Id of the project the login is scoped to; takes precedence over O(project_name).
      - With C(huaweicloud), the project of O(region) the task acts in (sent as C(X-Project-Id) with AK/SK); when
        not set, the project named after the region is found through IAM (C(GET /v3/projects?name=<region>)), as
        Huawei's SDK does. A sub-project (C(cn-north-4_dev)) must be given here.
      - If not set, the value of the E(IMS_PROJECT_ID) or E(OS_PROJECT_ID) (C(openstack)) or
        E(HUAWEICLOUD_SDK_PROJECT_ID) (C(huaweicloud)) environment variable is used.
      - "Providers: huaweicloud, openstack."
    type: str
  user_domain_name:
    description:
      - Domain of O(username). When not set, the user is looked up in O(project_domain_name).
      - With C(huaweicloud), the account name (required with a password login).
      - If not set, the value of the E(IMS_USER_DOMAIN_NAME) or (with C(openstack)) E(OS_USER_DOMAIN_NAME) environment
        variable is used.
      - "Providers: huaweicloud, openstack."
    type: str
  project_domain_name:
    description:
      - Domain of O(project_name). Default V(Default).
      - If not set, the value of the E(IMS_PROJECT_DOMAIN_NAME) or E(OS_PROJECT_DOMAIN_NAME) environment
        variable is used.
      - "Providers: openstack."
    type: str
  interface:
    description:
      - Which endpoint of the service catalog to use when O(endpoint) is not set. Default V(public).
      - If not set, the value of the E(IMS_INTERFACE) or E(OS_INTERFACE) environment variable is used.
      - "Providers: openstack."
    type: str
    choices: [public, internal, admin]
  access_key:
    description:
      - Access key id (AK) of AK/SK signing (C(SDK-HMAC-SHA256), as Huawei's SDK signs); needs O(secret_key).
      - If not set, the value of the E(IMS_ACCESS_KEY) or E(HUAWEICLOUD_SDK_AK) environment variable is used.
      - Never logged and masked in results.
      - "Providers: huaweicloud."
    type: str
  secret_key:
    description:
      - Secret access key (SK) of O(access_key); it signs requests and is never sent.
      - If not set, the value of the E(IMS_SECRET_KEY) or E(HUAWEICLOUD_SDK_SK) environment variable is used.
      - Never logged and masked in results.
      - "Providers: huaweicloud."
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK (from STS or an ECS agency), sent as C(X-Security-Token).
      - If not set, the value of the E(IMS_SECURITY_TOKEN) or E(HUAWEICLOUD_SDK_SECURITY_TOKEN) environment variable
        is used.
      - Never logged and masked in results.
      - "Providers: huaweicloud."
    type: str
  iam_endpoint:
    description:
      - URL of Huawei IAM, for example V(https://iam.cn-north-4.myhuaweicloud.com), the default of O(auth_url).
      - This is IAM's host, as the SDK's variable names it; C(/v3) is added unless the URL already ends with it.
      - If not set, the value of the E(IMS_IAM_ENDPOINT) or E(HUAWEICLOUD_SDK_IAM_ENDPOINT) environment variable is used.
      - "Providers: huaweicloud."
    type: str
  region_endpoints:
    description:
      - The IMS URLs of other regions, region id to URL, for a task that reaches another region (a cross-region
        copy, C(copy_from_region) of M(cecloud.ims.ims_image)). A region not listed uses C(https://ims.<region>.myhuaweicloud.com)
        when O(endpoint) is Huawei's public one too, and fails the task before any request otherwise.
      - "Providers: huaweicloud."
    type: dict
  obs_endpoint:
    description:
      - URL of OBS, the object storage image files are staged in and exported to; default
        C(https://obs.<region>.myhuaweicloud.com).
      - If not set, the value of the E(IMS_OBS_ENDPOINT) environment variable is used.
      - "Providers: huaweicloud."
    type: str
  workspace_endpoint:
    description:
      - URL of Huawei Cloud Workspace, the service of M(cecloud.ims.workspace_image_info) (desktop product images);
        default C(https://workspace.<region>.myhuaweicloud.com). The IMS modules do not use it.
      - A separate option from O(endpoint), which a C(module_defaults) group sets to the IMS URL.
      - If not set, the value of the E(IMS_WORKSPACE_ENDPOINT) environment variable is used.
      - "Providers: huaweicloud."
    type: str
  workspace_app_endpoint:
    description:
      - URL of Huawei Cloud Workspace App (application streaming), the service of
        M(cecloud.ims.workspace_image_server_info) (image servers). The IMS modules do not use it.
      - The default follows Huawei's SDK region table - C(https://appstream.<region>.myhuaweicloud.com) in
        cn-north-4, cn-north-9, cn-east-3, cn-south-1 and cn-southwest-2, C(https://workspace.<region>.myhuaweicloud.com)
        in every other region (among them cn-east-5, cn-north-11, ap-southeast-1/2/3, la-south-2, la-north-2,
        sa-brazil-1, me-east-1, af-south-1, af-north-1, tr-west-1).
      - If not set, the value of the E(IMS_WORKSPACE_APP_ENDPOINT) environment variable is used.
      - "Providers: huaweicloud."
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(endpoint) (and of O(auth_url)).
      - Turn it off only for test services; the module warns when it is off.
      - If not set, the value of the E(IMS_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM) to verify O(endpoint)'s certificate with, instead of the system's.
      - If not set, the value of the E(IMS_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for the service to answer one request (the connection itself waits at most 10 seconds).
      - If not set, the value of the E(IMS_TIMEOUT) environment variable is used.
    type: float
    default: 30.0
  retries:
    description:
      - How many times a failed request is repeated, with exponential backoff and jitter.
      - Reads (GET) and idempotent writes (PUT, DELETE) are repeated after connection errors, timeouts,
        HTTP 429 and 5xx answers. So are the two POSTs the API makes safe to repeat, C(upload-prepare)
        (the last size wins and fresh credentials replace the old ones) and C(export) (it writes the same
        object again).
      - Every other POST (create, import, copy, upload-done, share, unshare) is repeated only when it
        cannot have reached the service (the connection was refused, or could not be opened in time)
        or the service answered 429; after another failure the module looks at the service's state and
        sends again only what did not take effect.
      - Between 0 and 20. If not set, the value of the E(IMS_RETRIES) environment variable is used.
    type: int
    default: 5
requirements:
  - python >= 3.7
  - requests
notes:
  - All options of this fragment can be set once for a play with
    C(module_defaults) and the action group C(group/cecloud.ims.ims).
attributes:
  action_group:
    support: full
    membership: [cecloud.ims.ims]
    description: Use C(group/cecloud.ims.ims) in C(module_defaults) to set the connection options once.
'''

    # Mirrors WAIT_ARGUMENT_SPEC in plugins/module_utils/_module.py exactly.
    WAIT = r'''
options:
  wait:
    description:
      - Whether to wait until the operation has finished on the service
        (the image is C(active), or gone after a delete).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true); between 1 and 86400.
      - A timeout fails the task with the image's last status.
    type: int
    default: 600
'''

    # Mirrors FILTERS_ARGUMENT_SPEC in plugins/module_utils/_module.py exactly. What differs by module (the keys its
    # service filters by itself, nested fields) is in the module's notes: a module's own ``filters`` entry would
    # replace this description whole, not extend it.
    FILTERS = r'''
options:
  filters:
    description:
      - Return only the listed records (images, image servers) whose fields equal these values. Keys are the names of
        the fields the module returns; values are compared as text (V(40) equals C("40")), and V(null) matches a field
        whose value is null.
      - Keys the service filters by itself (the module's notes name them, where it has any) are sent to it; the other
        keys are matched on the records the service returned.
      - With O(limit), listing stops once O(limit) records match.
      - A key that is also an option of the module that selects records by the same field (the module's notes name
        them) asks what the option asks, and the option's default never replaces it; the task fails before any request
        when it gives both with different values.
      - A key that none of the listed records has as a field (a typo such as C(stauts)) matches nothing; the module
        then warns, naming the fields the records have.
    type: dict
'''

    # Mirrors _image_query.QUERY_ARGUMENT_SPEC (but filters, fragment FILTERS): the options of ims_image_info and the
    # cecloud.ims.image lookup.
    IMAGE_QUERY = r'''
options:
  scope:
    description:
      - Which images to list.
      - V(private) are the tenant's own images, V(shared) the images other tenants shared with it,
        V(public) the public images.
      - V(community) (C(openstack) only) are the images of other projects with C(visibility=community).
      - V(market) (C(huaweicloud) only) are KooGallery (market) images; with C(huaweicloud), V(public) are Huawei's
        public images (C(__imagetype=gold)), V(private) the images the project owns (shared out or not), V(shared)
        the images other projects shared with it whose member status is O(member_status).
      - With C(openstack), V(private) are the images the caller's project owns, whatever their visibility,
        and V(shared) the images other projects shared with it whose member status is O(member_status).
      - V(all) lists private, then shared, then public (then community, or market) images; an image seen in an
        earlier scope is not repeated.
    type: str
    choices: [all, private, shared, public, community, market]
    default: all
  id:
    description:
      - Return only the image with this id.
    type: str
    aliases: [image_id]
  name:
    description:
      - Return only images with exactly this name.
    type: str
  name_contains:
    description:
      - Return only images whose name contains this text (matched on the server for private images).
    type: str
  member_status:
    description:
      - The member status of the images other projects shared with the caller that O(scope=shared) lists
        (and O(scope=all) includes).
      - V(accepted) by default; V(pending) are shares waiting for the caller's answer, V(all) every share.
      - With C(huaweicloud), each image listed as shared carries its C(member_status).
      - "Providers: huaweicloud, openstack."
    type: str
    choices: [accepted, pending, rejected, all]
  limit:
    description:
      - Return at most this many images (1 or more), the first ones in the order of O(sort_by) when it is given.
        Listing stops as soon as they are found (with O(sort_by), once the listing's first page shows the service
        sends the images in that order; else every matching image is read and sorted).
    type: int
  name_regex:
    description:
      - Return only images whose name matches this regular expression (Python C(re) syntax, searched anywhere in the
        name, so anchor it with C(^) and C($)). Matched on the images the service lists.
      - An expression that does not compile fails the task before any request.
    type: str
  tags:
    description:
      - Return only images that carry every one of these tags, a dict of tag keys to values; a value of V(null)
        matches the key with any value.
      - C(cecloud) - the image's key/value tags (C(image_tags), set when the image is created).
      - C(openstack) - Glance tags are plain strings; a key and value match the tag C(key=value), a null value the tag
        C(key) or any C(key=...). Free properties are matched by O(filters) instead.
      - C(huaweicloud) - IMS's key/value tags, which its listing shows as C(key=value).
      - C(openstack) and C(huaweicloud) narrow the listing on the server by one of the tags (C(tag=key=value)); the
        others are matched on the images listed.
    type: dict
  sort_by:
    description:
      - Return the images in the order of this field, as O(sort_order) says. Without it, images come in the
        order the service lists them, scope by scope.
      - The order is asked of the service where its API takes it (C(openstack) every key; C(huaweicloud)
        V(created_at), V(name), V(size); C(cecloud) lists private and public images newest first); the collection
        sorts the others. Images without the field come last.
    type: str
    choices: [created_at, updated_at, name, size]
  sort_order:
    description:
      - V(desc) (newest, largest or last name first) or V(asc), for O(sort_by).
    type: str
    choices: [asc, desc]
    default: desc
  most_recent:
    description:
      - Return only the first image in the order of O(sort_by) (V(created_at) by default) and O(sort_order) -
        by default the newest one. O(limit) is then 1.
      - The newest image of one scope by O(name) or a filter the service applies costs one request.
    type: bool
    default: false
  include_deprecated:
    description:
      - Also return the images whose C(deprecated) or C(hidden) field is true (see C(docs/image-conventions.md)),
        which are left out by default.
    type: bool
    default: false
'''

    # The attributes of the modules that only read (the three listing modules).
    INFO_MODULE = r'''
attributes:
  check_mode:
    support: full
    description: Makes the same requests as a normal run.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
'''

    # Mirrors IMAGE_METADATA_ARGUMENT_SPEC in plugins/module_utils/_image_spec.py exactly.
    IMAGE_METADATA = r'''
options:
  name:
    description:
      - Image name. C(cecloud) - 1 to 128 characters, not starting or ending with a space; letters, digits,
        C(-), C(.), C(_), spaces and Chinese characters only. C(openstack) - 1 to 255 characters.
    type: str
  description:
    description:
      - Image description, 2 to 256 characters. Set when the image is created; fixed afterwards.
      - C(huaweicloud) - at most 1024 characters, without carriage returns, C(<) or C(>); it can change on an existing
        image (the C(__description) attribute).
      - "Providers: cecloud, huaweicloud."
    type: str
  disk_format:
    description:
      - Format of the image file. C(cecloud) accepts V(qcow2) and V(raw), and keeps the format for the image's life;
        C(openstack) accepts every choice, and lets it change only while the image holds no data (C(queued)).
        A task that asks for a change the provider refuses fails before any request.
      - Default on creation V(qcow2).
    type: str
    choices: [aki, ami, ari, iso, ploop, qcow2, raw, vdi, vhd, vhdx, vmdk]
  image_type:
    description:
      - "Providers: cecloud, huaweicloud."
      - V(os_image) (system disk), V(data_image) (data disk) or V(whole_image) (whole machine).
      - Fixed once the image exists. Default on creation V(os_image).
      - C(huaweicloud) - V(data_image) is made from an OBS file, V(whole_image) from a server or a CBR backup.
    type: str
    choices: [os_image, data_image, whole_image]
  instruction:
    description:
      - Word size of the operating system. Default on creation V(64-bits).
      - Returned images hold it in C(instructions).
      - "Providers: cecloud."
    type: str
    choices: [32-bits, 64-bits]
  cpu_arch:
    description:
      - CPU architecture. Default on creation V(x86).
      - C(huaweicloud) - for an image made from an OBS file (V(arm) makes it UEFI; with O(boot_mode=BIOS) it fails
        before any request).
      - "Providers: cecloud, huaweicloud (with openstack, set the C(architecture) property)."
    type: str
    choices: [x86, arm]
  os_type:
    description:
      - Operating system type. Default on creation V(linux).
      - C(huaweicloud) - for an image made from an OBS file (C(__os_type) C(Linux), C(Windows), C(Other)); fixed afterwards.
      - "Providers: cecloud, huaweicloud (with openstack, set the C(os_type) property)."
    type: str
    choices: [linux, windows, other]
  os_version:
    description:
      - Operating system version, free text such as V(kylin-v10-sp3). Default on creation empty.
      - C(huaweicloud) - one of IMS's OS versions (C(GET /v1/cloudimages/os_version)), such as
        V(Ubuntu 22.04 server 64bit); required for a quick import of a system disk; fixed afterwards (C(__os_version)).
      - "Providers: cecloud, huaweicloud (with openstack, set the C(os_version) property)."
    type: str
  platform:
    description:
      - Platform class of the image. Default on creation V(other).
      - "Providers: cecloud (with openstack, set the C(os_distro) property)."
    type: str
    choices: [windows, ubuntu, CentOS, kylin, CCLinux, other]
  min_disk:
    description:
      - Minimum system disk in GiB, 0 or more; must be larger than the image's disk.
      - With C(cecloud) it can grow but never shrink; a smaller value fails before any request. Default on
        creation V(0).
      - With C(huaweicloud), in GB, required with an OBS file (O(cecloud.ims.ims_image#module:import_url)) - 40 to 1024
        for a system disk image, 40 to 2048 for a data disk image, 1 to 1024 with
        O(cecloud.ims.ims_image#module:quick_import); 1 to 1024 for an image without a file; fixed once the image exists.
    type: int
  min_ram:
    description:
      - Minimum memory in MiB, 0 or more. Default on creation V(0).
    type: int
  boot_mode:
    description:
      - Firmware the image boots with. Default on creation V(BIOS).
      - C(huaweicloud) - the C(hw_firmware_type) attribute (C(bios), C(uefi)); it can change on an existing image,
        except to V(BIOS) on an Arm image (IMS boots Arm with UEFI only).
      - "Providers: cecloud, huaweicloud (with openstack, set the C(hw_firmware_type) property to V(uefi) or V(bios))."
    type: str
    choices: [BIOS, UEFI]
  visibility:
    description:
      - Whether other tenants see the image. Default on creation V(private).
      - C(cecloud) accepts V(private), V(public) and V(market), fixed once the image exists.
        C(openstack) accepts V(private), V(shared), V(community) and V(public) (the stock policy lets only
        an administrator make an image public), and changes it on an existing image.
    type: str
    choices: [private, public, market, shared, community]
  usage:
    description:
      - Service the image is for. Fixed once the image exists. Default on creation V(ecs).
      - "Providers: cecloud."
    type: str
    choices: [ecs, bms, cke, sec]
  tags:
    description:
      - "C(cecloud) - image tags, a list of dicts (for example C({key: env, value: prod})), sent as C(imageTags).
        Set when the image is created; fixed afterwards."
      - C(openstack) - a list of strings (Glance tags). On an existing image the tag set becomes exactly this
        list (order does not matter); O(tags=[]) removes every tag.
      - C(huaweicloud) - a list of dicts C({key, value}), at most 10 (keys up to 36 characters, values up to 43). On an
        existing image the key/value tags become exactly this list (IMS's tag API).
    type: list
    elements: raw
  container_format:
    description:
      - Container format of the image file. Default on creation V(bare). Like O(disk_format), it changes only
        while the image holds no data.
      - "Providers: openstack."
    type: str
    choices: [ami, ari, aki, bare, ovf, ova, docker, compressed]
  protected:
    description:
      - Whether the image is protected from deletion. A protected image is deleted only with O(force=true)
        (where the module offers it), which first unprotects it.
      - "Providers: openstack."
    type: bool
  properties:
    description:
      - Free properties of the image, such as C(os_distro), C(os_version), C(hw_firmware_type) or
        C(architecture). Values are stored as strings (V(true) becomes C(true)).
      - Only the keys given are compared and changed; a key whose value is V(null) is removed from the image.
      - Glance's own fields (C(name), C(status), C(owner), ...) cannot be set here.
      - "Providers: openstack."
    type: dict
'''
