curl -s http://127.0.0.1:8080/v2/images/$IMAGE_ID -H "X-Auth-Token: $TOKEN"
# {"id":"...","name":"ims_test","status":"active","min_disk":40,"max_ram":"4096",...}
