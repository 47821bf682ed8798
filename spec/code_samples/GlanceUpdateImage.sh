curl -s -X PATCH http://127.0.0.1:8080/v2/images/$IMAGE_ID -H "X-Auth-Token: $TOKEN" \
  -H "Content-Type: application/openstack-images-v2.1-json-patch" -d '[{"op":"replace","path":"/min_disk","value":50}]'
