curl -s http://127.0.0.1:8080/v2/$PROJECT_ID/images/$IMAGE_ID/tags -H "X-Auth-Token: $TOKEN"
# {"tags":[{"key":"key1","value":"value1"}]}
