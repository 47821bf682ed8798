curl -s -X PATCH http://127.0.0.1:8080/v2/cloudimages/$IMAGE_ID -H "X-Auth-Token: $TOKEN" \
  -H "Content-Type: application/json" \
  -d '[{"op":"replace","path":"/name","value":"ims_test_renamed"},{"op":"add","path":"/max_ram","value":4096}]'
