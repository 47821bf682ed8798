curl -s -X DELETE http://127.0.0.1:8080/v2/images/$IMAGE_ID -H "X-Auth-Token: $TOKEN" -o /dev/null -w "%{http_code}\n"
# 204
